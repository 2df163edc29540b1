package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/knowledge"
	"github.com/pufabot/pufabot/store"
	"github.com/pufabot/pufabot/web"
)

// newWeb builds the resident page and staff console on the running store
// and engine; hand-overs and replies go through the bot once it runs.
func (s *server) newWeb(db *store.DB, engine *knowledge.Live, broadcaster web.Broadcaster) (*web.Server, error) {
	cfg := s.cfg
	loc, err := cfg.Location()
	if err != nil {
		return nil, err
	}
	return web.New(web.Options{
		Store:     db,
		Knowledge: engine,
		Desk: func() web.Desk {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.bot == nil {
				return nil
			}
			return s.bot
		},
		Broadcaster: broadcaster,
		Admins:      consoleAdmins(cfg),
		BaseURL:     cfg.Web.URL,
		Office:      cfg.Office,
		Location:    loc,
		TrustProxy:  cfg.Web.TrustProxy,
		RetainDays:  cfg.Privacy.RetainDays,
		Logger:      s.log,
		Now:         s.now,
	})
}

// consoleLink returns the bot's /console link maker, or nil when the pages
// are off or have no public address.
func (s *server) consoleLink(w *web.Server) bot.ConsoleLinkFunc {
	if w == nil || s.cfg.Web.URL == "" {
		return nil
	}
	return w.NewConsoleLink
}

// webHandler serves the pages once they are ready and a short "starting"
// answer before (the index may take a while on first start).
func (s *server) webHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.web
		s.mu.Unlock()
		if h == nil {
			w.Header().Set("Retry-After", "10")
			http.Error(w, "普法小助手正在启动，请稍后刷新。", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *server) setWeb(w *web.Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web = w
}

// startWebListener serves the pages on web.listen when it is set apart
// from http.listen.
func (s *server) startWebListener(cleanups *[]func()) error {
	addr := s.cfg.Web.Listen
	if addr == "" || !s.cfg.Web.On() {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: web.listen: %w", err)
	}
	srv := &http.Server{
		Handler:           s.webHandler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("web server stopped", slog.Any("error", err))
		}
	}()
	s.webAddr = ln.Addr().String()
	s.log.Info("serving the web pages", slog.String("addr", s.webAddr))
	*cleanups = append(*cleanups, func() {
		shutdown(s.log, srv)
		<-served
	})
	return nil
}
