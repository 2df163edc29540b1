package config

import (
	"fmt"
	"net/url"
)

// Web configures the resident chat page and the staff console that serve
// shares with /healthz and /metrics.
type Web struct {
	// Enabled serves the pages; absent means yes.
	Enabled *bool `yaml:"enabled"`
	// Listen is an address of their own; empty serves them on http.listen.
	Listen string `yaml:"listen"`
	// URL is the public address residents and staff open (https:// behind
	// a reverse proxy); /console login links are built on it.
	URL string `yaml:"url"`
	// TrustProxy takes the client address for rate limits from the
	// reverse proxy's X-Forwarded-For. Addresses are never stored.
	TrustProxy bool `yaml:"trust_proxy"`
}

// On reports whether the pages are served.
func (w Web) On() bool { return w.Enabled == nil || *w.Enabled }

func (w Web) validate() error {
	if w.URL == "" {
		return nil
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("web.url %q: want an absolute http:// or https:// address", w.URL)
	}
	return nil
}
