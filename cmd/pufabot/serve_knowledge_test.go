package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/knowledge"
)

// waitDegraded polls /healthz until it answers 503 with a body containing
// want.
func waitDegraded(t *testing.T, s *server, want string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		code, body := get(t, "http://"+s.Addr()+"/healthz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz = %d %q, want 503 saying %q", code, body, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// blockBuild makes s build the index only once release is closed.
func blockBuild(s *server) (release chan struct{}) {
	release = make(chan struct{})
	s.buildIndex = func(ctx context.Context, o knowledge.Options) (*knowledge.Engine, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return knowledge.Open(ctx, o)
	}
	return release
}

// When the laws change, serve keeps answering from the previous index
// (not just the FAQ) while the new one is built.
func TestServeAnswersFromThePreviousIndexWhileTheNewOneIsBuilt(t *testing.T) {
	tg := telegramtest.New(t)
	s := testServer(t, tg, &syncBuffer{})
	laws, err := filepath.Abs(filepath.Join("..", "..", "knowledge", "testdata", "laws"))
	if err != nil {
		t.Fatal(err)
	}
	s.cfg.Knowledge.Laws = []string{filepath.Join(laws, "民法典")}
	e, err := openEngine(context.Background(), s.cfg, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	s.cfg.Knowledge.Laws = []string{laws}
	release := blockBuild(s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := start(t, ctx, s)
	if body := waitDegraded(t, s, "previous index"); !strings.Contains(body, "changed") {
		t.Errorf("/healthz does not say the inputs changed: %q", body)
	}
	const resident = 100200300
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	tg.PushMessage(resident, resident, "民法典第1079条")
	if _, err := tg.WaitCalls(wctx, "sendMessage", 1); err != nil {
		t.Fatalf("no answer while the index is rebuilt: %v", err)
	}
	if answer := strings.Join(tg.Sent(resident), "\n"); !strings.Contains(answer, "感情确已破裂") {
		t.Errorf("the previous index does not answer:\n%s", answer)
	}
	close(release)
	waitHealthy(t, s, runErr)
}

// With a damaged index, serve answers from the FAQ while it rebuilds the
// index in the background, /healthz says why, and once the index is back
// residents get the articles again.
func TestServeAnswersFromTheFAQWhileADamagedIndexIsRebuilt(t *testing.T) {
	tg := telegramtest.New(t)
	logs := &syncBuffer{}
	s := testServer(t, tg, logs)
	laws, err := filepath.Abs(filepath.Join("..", "..", "knowledge", "testdata", "laws"))
	if err != nil {
		t.Fatal(err)
	}
	s.cfg.Knowledge.Laws = []string{laws}
	e, err := openEngine(context.Background(), s.cfg, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	snap := filepath.Join(s.cfg.DataDir, "index", "snapshot.gob")
	if err := os.Truncate(snap, 100); err != nil {
		t.Fatal(err)
	}
	release := blockBuild(s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := start(t, ctx, s)

	// While the index is rebuilt: /healthz says so, the FAQ answers.
	if body := waitDegraded(t, s, "FAQ only"); !strings.Contains(body, "damaged") {
		t.Errorf("/healthz does not say the index is damaged: %q", body)
	}
	const resident = 100200300
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	tg.PushMessage(resident, resident, "被电信诈骗了怎么办")
	if _, err := tg.WaitCalls(wctx, "sendMessage", 1); err != nil {
		t.Fatalf("no answer while the index is rebuilt: %v", err)
	}
	if answer := strings.Join(tg.Sent(resident), "\n"); !strings.Contains(answer, "反电信网络诈骗法") {
		t.Errorf("the FAQ answer is missing:\n%s", answer)
	}

	// Once rebuilt: healthy, and a citation is answered from the law.
	close(release)
	waitHealthy(t, s, runErr)
	before := len(tg.Calls("sendMessage"))
	tg.PushMessage(resident, resident, "民法典第1079条")
	if _, err := tg.WaitCalls(wctx, "sendMessage", before+1); err != nil {
		t.Fatalf("no answer after the rebuild: %v", err)
	}
	if answer := strings.Join(tg.Sent(resident), "\n"); !strings.Contains(answer, "感情确已破裂") {
		t.Errorf("article 1079 is not answered after the rebuild:\n%s", answer)
	}
	if !strings.Contains(logs.String(), "index damaged") {
		t.Errorf("no log line says the index was damaged:\n%s", logs.String())
	}
}

// A build that fails (a full disk) leaves serve running on what it has,
// and /healthz says the build failed.
func TestServeKeepsRunningWhenTheIndexCannotBeBuilt(t *testing.T) {
	tg := telegramtest.New(t)
	s := testServer(t, tg, &syncBuffer{})
	s.buildIndex = func(context.Context, knowledge.Options) (*knowledge.Engine, error) {
		return nil, errors.New("knowledge: build index: not enough free disk space in /srv/pufabot")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := start(t, ctx, s)
	if body := waitDegraded(t, s, "could not be built"); !strings.Contains(body, "free disk space") || !strings.Contains(body, "FAQ only") {
		t.Errorf("/healthz = %q, want the build error and the FAQ fallback", body)
	}
	select {
	case err := <-runErr:
		t.Fatalf("serve stopped: %v", err)
	default:
	}
	const resident = 100200300
	tg.PushMessage(resident, resident, "被电信诈骗了怎么办")
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if _, err := tg.WaitCalls(wctx, "sendMessage", 1); err != nil {
		t.Fatalf("no answer after a failed build: %v", err)
	}
}
