package schedules

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pufabot/pufabot/store"
)

// HeartbeatKey is the settings key of the sender lease. Whoever holds it
// (a running server, or `pufabot campaigns run` when no server runs) is the
// only process that evaluates the calendar and sends campaign messages; the
// holder renews it every poll interval, so a fresh value also says that a
// server is up.
const HeartbeatKey = "serve_heartbeat"

// Lease owners.
const (
	OwnerServe = "serve"
	OwnerCLI   = "cli"
)

// DefaultLeaseTTL is how long a lease stays valid without renewal.
const DefaultLeaseTTL = 20 * time.Second

// Holder describes the process holding the sender lease.
type Holder struct {
	Owner string    `json:"owner"`
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Token string    `json:"token"`
	At    time.Time `json:"at"`
	// Released is set when the holder let go cleanly.
	Released bool `json:"released,omitempty"`
}

// ErrServing is returned by Drain when a running server holds the lease;
// it will send what was recorded.
var ErrServing = errors.New("schedules: a running server sends campaigns")

// live reports whether h still holds the lease at now: not released, renewed
// within ttl, and, when it is a process on this host, still running (so a
// restart after a crash takes over at once instead of waiting out the TTL).
func (h Holder) live(now time.Time, ttl time.Duration, host string) bool {
	if h.Released || h.Token == "" || now.Sub(h.At) > ttl {
		return false
	}
	if h.Host == host && h.PID != 0 && !processAlive(h.PID) {
		return false
	}
	return true
}

// lessee takes and renews the sender lease for one scheduler.
type lessee struct {
	db    *store.DB
	ttl   time.Duration
	host  string
	token string
	pid   int
}

func newLessee(db *store.DB, ttl time.Duration) *lessee {
	host, _ := os.Hostname()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &lessee{db: db, ttl: ttl, host: host, token: hex.EncodeToString(b), pid: os.Getpid()}
}

// acquire takes or renews the lease for owner at now. When another live
// process holds it, ok is false and holder says who.
func (l *lessee) acquire(ctx context.Context, owner string, now time.Time) (holder Holder, ok bool, err error) {
	err = l.db.UpdateSetting(ctx, HeartbeatKey, func(cur string, exists bool) (string, bool, error) {
		if exists {
			var h Holder
			if json.Unmarshal([]byte(cur), &h) == nil && h.Token != l.token && h.live(now, l.ttl, l.host) {
				holder = h
				return "", false, nil
			}
		}
		holder = Holder{Owner: owner, PID: l.pid, Host: l.host, Token: l.token, At: now}
		ok = true
		b, err := json.Marshal(holder)
		return string(b), true, err
	})
	return holder, ok, err
}

// release gives the lease up if this lessee holds it.
func (l *lessee) release(ctx context.Context, now time.Time) error {
	return l.db.UpdateSetting(ctx, HeartbeatKey, func(cur string, exists bool) (string, bool, error) {
		var h Holder
		if !exists || json.Unmarshal([]byte(cur), &h) != nil || h.Token != l.token {
			return "", false, nil
		}
		h.Released, h.At = true, now
		b, err := json.Marshal(h)
		return string(b), true, err
	})
}

// CurrentHolder returns the live holder of the sender lease at now, with
// ttl the lease lifetime (0 for DefaultLeaseTTL); ok is false when nobody
// holds it.
func CurrentHolder(ctx context.Context, db *store.DB, now time.Time, ttl time.Duration) (h Holder, ok bool, err error) {
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	v, err := db.Setting(ctx, HeartbeatKey)
	if errors.Is(err, store.ErrNotFound) {
		return Holder{}, false, nil
	}
	if err != nil {
		return Holder{}, false, err
	}
	if err := json.Unmarshal([]byte(v), &h); err != nil {
		return Holder{}, false, fmt.Errorf("schedules: %s: %w", HeartbeatKey, err)
	}
	host, _ := os.Hostname()
	return h, h.live(now, ttl, host), nil
}
