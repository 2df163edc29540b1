package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/internal/shared"
	"github.com/pufabot/pufabot/internal/telegramtest"
	"github.com/pufabot/pufabot/knowledge"
)

// BenchmarkServeResidentMemory runs the real pufabot binary (serve) on the
// evaluation corpus against a fake Bot API in this process, answers every
// training question once (from 1,235 private chats), and reports the server process's resident
// memory afterwards — the bot's steady RSS, without the test harness.
func BenchmarkServeResidentMemory(b *testing.B) {
	dirs := shared.EvalCorpusDirs(b)
	set := shared.EvalSet(b)
	questions, err := knowledge.ReadExamples(set)
	if err != nil {
		b.Fatal(err)
	}
	bin := buildPufabot(b)
	tg := telegramtest.New(b)
	dataDir := os.Getenv("PUFABOT_BENCH_SERVE_DATA")
	if dataDir == "" {
		dataDir = b.TempDir()
	}
	cfg := fmt.Sprintf("data_dir: %s\nhttp:\n  listen: \"\"\nknowledge:\n  laws: [%s]\ntelegram:\n  token: %q\n  server_url: %q\n",
		dataDir, strings.Join(dirs, ", "), tg.Token(), tg.URL())
	cfgPath := filepath.Join(b.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfgPath)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b.ResetTimer()
	for i, q := range questions {
		tg.PushMessage(int64(1000+i), int64(1000+i), q.Query)
	}
	if _, err := tg.WaitCalls(ctx, "sendMessage", len(questions)); err != nil {
		b.Fatalf("answers: %v", err)
	}
	b.StopTimer()
	// Throughput here is the outgoing queue's Telegram cap
	// (telegram.rate_per_second), so only memory is reported;
	// BenchmarkAnswerEndToEnd in package bot measures answering speed.
	if rss := processRSSMiB(cmd.Process.Pid); rss > 0 {
		b.ReportMetric(rss, "server_rss_MiB")
	}
}

// processRSSMiB reads VmRSS of a process from /proc (Linux only).
func processRSSMiB(pid int) float64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
