package web

import (
	"testing"
	"time"
)

// A clock that steps back (or a time read before another request updated
// the bucket) must never take tokens away.
func TestLimiterIgnoresTimeGoingBack(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(Limit{Burst: 3, Every: time.Nanosecond}, func() time.Time { return now })
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("first request refused")
	}
	now = now.Add(-time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("a request with an earlier clock was refused: the refill went negative")
	}
}

func TestLimiterBurstThenRefill(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(Limit{Burst: 2, Every: time.Second}, func() time.Time { return now })
	for i := 0; i < 2; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("third request: ok %v wait %v", ok, wait)
	}
	now = now.Add(time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("not refilled after a second")
	}
}
