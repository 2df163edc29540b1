package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pufabot/pufabot/store"
)

func item(id, chat int64) *updateItem {
	return &updateItem{in: store.InboundUpdate{ID: id, ChatID: chat}}
}

func TestDispatcherOrderConcurrencyAndDedup(t *testing.T) {
	var mu sync.Mutex
	order := map[int64][]int64{}
	var running, peak atomic.Int32
	release := make(chan struct{})
	d := newDispatcher(context.Background(), 2, func(ctx context.Context, it *updateItem, _ func() bool) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		mu.Lock()
		order[it.in.ChatID] = append(order[it.in.ChatID], it.in.ID)
		mu.Unlock()
		running.Add(-1)
	})
	for id := int64(1); id <= 30; id++ {
		d.enqueue(item(id, id%3))
		d.enqueue(item(id, id%3)) // a duplicate while queued is dropped
	}
	close(release)
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, ids := range order {
			n += len(ids)
		}
		return n >= 30
	})
	d.stop(10*time.Second, func() {})
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d updates handled at once, limit 2", p)
	}
	total := 0
	for chat, ids := range order {
		total += len(ids)
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				t.Fatalf("chat %d out of order: %v", chat, ids)
			}
		}
	}
	if total != 30 {
		t.Fatalf("handled %d updates, want 30", total)
	}
}

func TestDispatcherStopLeavesQueuedUpdates(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var handled atomic.Int32
	d := newDispatcher(context.Background(), 4, func(ctx context.Context, it *updateItem, stopping func() bool) {
		if it.in.ID == 1 {
			close(started)
			<-release
		}
		handled.Add(1)
	})
	d.enqueue(item(1, 7))
	<-started
	d.enqueue(item(2, 7))
	d.enqueue(item(3, 7))
	go func() {
		for !d.isStopping() {
			time.Sleep(time.Millisecond)
		}
		close(release)
	}()
	d.stop(10*time.Second, func() {})
	if n := handled.Load(); n != 1 {
		t.Fatalf("handled %d updates after stop, want only the one in progress", n)
	}
	d.enqueue(item(4, 8)) // after stop: left for the next run
	if n := handled.Load(); n != 1 {
		t.Fatalf("handled an update enqueued after stop")
	}
}

func TestDispatcherResumeSkipsActive(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var got []int64
	d := newDispatcher(context.Background(), 4, func(ctx context.Context, it *updateItem, _ func() bool) {
		<-release
		mu.Lock()
		got = append(got, it.in.ID)
		mu.Unlock()
	})
	d.enqueue(item(5, 1)) // delivered by the webhook while starting
	if err := d.resume(func() ([]*updateItem, error) {
		return []*updateItem{item(4, 1), item(5, 1)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	close(release)
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	})
	time.Sleep(10 * time.Millisecond) // room for a wrong third
	d.stop(10*time.Second, func() {})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("handled %v, want 5 and 4 once each", got)
	}
}

func TestDispatcherDrainTimeoutCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	entered := make(chan struct{})
	d := newDispatcher(ctx, 1, func(ctx context.Context, it *updateItem, _ func() bool) {
		close(entered)
		<-ctx.Done() // a handler stuck until cancelled
	})
	d.enqueue(item(1, 1))
	<-entered
	d.stop(time.Millisecond, cancel) // returns once the handler gives up
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
