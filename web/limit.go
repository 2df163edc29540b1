package web

import (
	"sync"
	"time"
)

// limiter keeps one token bucket per key (a session or an address). Buckets
// that have refilled are dropped, so memory stays bounded by the keys
// active in the last few minutes.
type limiter struct {
	l   Limit
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	pruned  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(l Limit, now func() time.Time) *limiter {
	return &limiter{l: l, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key and reports whether there was one; when not,
// wait says how long until the next.
func (l *limiter) allow(key string) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// The clock is read under the lock: a time read before it could be
	// older than a bucket's last update, and a negative refill would take
	// tokens away.
	now := l.now()
	if now.Sub(l.pruned) > time.Minute {
		l.prune(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(l.l.Burst), at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(float64(l.l.Burst), b.tokens+float64(elapsed)/float64(l.l.Every))
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.l.Every))
}

func (l *limiter) prune(now time.Time) {
	l.pruned = now
	full := time.Duration(l.l.Burst) * l.l.Every
	for k, b := range l.buckets {
		if now.Sub(b.at) > full {
			delete(l.buckets, k)
		}
	}
}
