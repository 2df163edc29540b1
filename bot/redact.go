package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// RedactSecrets returns a handler that masks secrets (the bot token, the
// webhook secret) wherever they appear in a record's message or
// attributes before passing it to h. Errors from HTTP clients quote the
// request URL, and a Bot API URL carries the token; go-telegram/bot masks
// it in some errors but not all (a URL that does not parse, a token that
// the URL escapes), so the masking is done once, where everything is
// logged. Empty secrets are ignored.
func RedactSecrets(h slog.Handler, secrets ...string) slog.Handler {
	r := newRedactor(secrets...)
	if r == nil {
		return h
	}
	if rh, ok := h.(*redactHandler); ok {
		// Keep one layer: combine the secrets.
		r = newRedactor(append(append([]string(nil), rh.r.secrets...), r.secrets...)...)
		return &redactHandler{next: rh.next, r: r}
	}
	return &redactHandler{next: h, r: r}
}

// redactor replaces secrets, in the forms they take in text and URLs.
type redactor struct {
	secrets []string
	rep     *strings.Replacer
}

func newRedactor(secrets ...string) *redactor {
	var forms []string
	var kept []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			forms = append(forms, s, "***")
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		kept = append(kept, s)
		add(s)
		add(url.PathEscape(s))
		add(url.QueryEscape(s))
		// The secret half of a bot token on its own ("<id>:<secret>").
		if _, half, ok := strings.Cut(s, ":"); ok && len(half) >= 8 {
			add(half)
		}
	}
	if len(forms) == 0 {
		return nil
	}
	return &redactor{secrets: kept, rep: strings.NewReplacer(forms...)}
}

func (r *redactor) string(s string) string { return r.rep.Replace(s) }

// value masks secrets in v; values that do not mention one are kept as
// they are, so handlers still see numbers, times and errors as such.
func (r *redactor) value(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(r.string(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]slog.Attr, len(attrs))
		for i, a := range attrs {
			out[i] = r.attr(a)
		}
		return slog.GroupValue(out...)
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		case fmt.Stringer:
			text = x.String()
		default:
			text = fmt.Sprint(x)
		}
		if masked := r.string(text); masked != text {
			return slog.StringValue(masked)
		}
	}
	return v
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	return slog.Attr{Key: a.Key, Value: r.value(a.Value)}
}

// err returns err with secrets masked in its message; errors.Is and
// errors.As still see the original chain.
func (r *redactor) err(err error) error {
	if err == nil || r == nil {
		return err
	}
	if masked := r.string(err.Error()); masked != err.Error() {
		return &redactedError{msg: masked, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactHandler is the slog.Handler of RedactSecrets.
type redactHandler struct {
	next slog.Handler
	r    *redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.string(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = h.r.attr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(masked), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), r: h.r}
}

// errBadToken is returned by New for a token that cannot be a bot token;
// the message never quotes the token.
var errBadToken = errors.New("bot: the token has characters a bot token cannot have (want <digits>:<letters, digits, _ or ->); check for spaces or line ends")

// validToken reports whether token has the shape of a bot token, so that
// it cannot change the meaning of the request URLs it goes into.
func validToken(token string) bool {
	id, secret, ok := strings.Cut(token, ":")
	if !ok || id == "" || secret == "" {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	for _, r := range secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
