package bot

import (
	"sync"
	"time"
)

// limiter is the per-resident flood limit: a token bucket per user that
// holds perMinute questions and refills at perMinute a minute. Time is
// passed in, so tests drive it without sleeping.
type limiter struct {
	mu        sync.Mutex
	perMinute float64
	users     map[int64]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	warned bool // told about the limit since the last allowed question
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: float64(perMinute), users: map[int64]*bucket{}}
}

// allow takes one token for userID. When there is none, ok is false and
// warn is true only the first time since the user was last allowed, so a
// flood gets one polite note, not one per message.
func (l *limiter) allow(userID int64, now time.Time) (ok, warn bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.users[userID]
	if b == nil {
		b = &bucket{tokens: l.perMinute, last: now}
		l.users[userID] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.perMinute, b.tokens+elapsed.Minutes()*l.perMinute)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		b.warned = false
		return true, false
	}
	warn = !b.warned
	b.warned = true
	return false, warn
}

// prune forgets users whose bucket has refilled, to bound memory.
func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, b := range l.users {
		if now.Sub(b.last) >= time.Minute {
			delete(l.users, id)
		}
	}
}
