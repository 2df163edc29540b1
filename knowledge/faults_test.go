package knowledge

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects log lines; safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// buildFixture builds the fixture index in a new data folder and returns
// the folder and the index's build time.
func buildFixture(t *testing.T) (string, time.Time) {
	t.Helper()
	dir := t.TempDir()
	e, err := Open(context.Background(), Options{DataDir: dir, Laws: []string{fixtureLaws()}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	return dir, e.Stats().Built
}

// mustAnswerCitation checks that e answers a citation from the corpus.
func mustAnswerCitation(t *testing.T, e *Engine) {
	t.Helper()
	a, err := e.Answer(context.Background(), "民法典第1079条")
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindCitation || len(a.Hits) == 0 || !strings.Contains(a.Hits[0].Text, "感情确已破裂") {
		t.Fatalf("answer = %s %+v, want article 1079", a.Kind, a.Hits)
	}
}

func noBuildFolders(t *testing.T, dataDir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dataDir, buildPrefix+"*"))
	if len(left) > 0 {
		t.Errorf("partial builds left behind: %v", left)
	}
}

// biggest returns the largest file in dir whose name ends with suffix.
func biggest(t *testing.T, dir, suffix string) string {
	t.Helper()
	var best string
	var size int64 = -1
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			if fi, err := d.Info(); err == nil && fi.Size() > size {
				best, size = p, fi.Size()
			}
		}
		return nil
	})
	if best == "" {
		t.Fatalf("no *%s file under %s", suffix, dir)
	}
	return best
}

// A damaged index is found when it is opened and rebuilt, with a log line
// saying why; the engine then answers from the corpus again.
func TestDamagedIndexIsRebuilt(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, index string)
	}{
		{"truncated snapshot", func(t *testing.T, index string) {
			p := filepath.Join(index, snapshotName)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbled segment", func(t *testing.T, index string) {
			p := biggest(t, filepath.Join(index, bleveDirName), ".zap")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for i := len(b) / 3; i < len(b)/3+64 && i < len(b); i++ {
				b[i] ^= 0x5a
			}
			if err := os.WriteFile(p, b, 0o640); err != nil {
				t.Fatal(err)
			}
		}},
		{"missing segment", func(t *testing.T, index string) {
			if err := os.Remove(biggest(t, filepath.Join(index, bleveDirName), ".zap")); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated bleve root", func(t *testing.T, index string) {
			if err := os.Truncate(biggest(t, filepath.Join(index, bleveDirName), ".bolt"), 100); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbled meta", func(t *testing.T, index string) {
			if err := os.WriteFile(filepath.Join(index, metaName), []byte("{\"fingerprint\": "), 0o640); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, built := buildFixture(t)
			c.damage(t, filepath.Join(dir, indexDirName))
			o := Options{DataDir: dir, Laws: []string{fixtureLaws()}}
			if _, err := OpenExisting(o); !errors.Is(err, ErrNeedsBuild) {
				t.Fatalf("OpenExisting on a damaged index = %v, want ErrNeedsBuild", err)
			}
			var logs logBuffer
			o.Logger = logs.logger()
			e, err := Open(context.Background(), o)
			if err != nil {
				t.Fatalf("Open did not recover: %v", err)
			}
			defer e.Close()
			if !strings.Contains(logs.String(), "index damaged") {
				t.Errorf("no log line says the index was damaged:\n%s", logs.String())
			}
			if e.Stats().Built.Equal(built) {
				t.Error("the damaged index was not rebuilt")
			}
			mustAnswerCitation(t, e)
		})
	}
}

// Folders of a build that was killed are removed by the next build.
func TestStaleBuildFoldersRemoved(t *testing.T) {
	dir, _ := buildFixture(t)
	stale := filepath.Join(dir, buildPrefix+"123456")
	if err := os.MkdirAll(filepath.Join(stale, bleveDirName), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, bleveDirName, "000000000001.zap"), make([]byte, 4096), 0o640); err != nil {
		t.Fatal(err)
	}
	e, err := Open(context.Background(), Options{DataDir: dir, Laws: []string{fixtureLaws()}, Rebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	noBuildFolders(t, dir)
}

// Without room for the index, a build fails at once with an error naming
// the folder and the space needed; the old index stays in service and
// nothing of the build is left.
func TestBuildWithoutSpaceFailsAndKeepsTheOldIndex(t *testing.T) {
	dir, built := buildFixture(t)
	defer func(f func(string) (uint64, bool)) { diskFree = f }(diskFree)
	diskFree = func(string) (uint64, bool) { return 1 << 20, true }
	o := Options{DataDir: dir, Laws: []string{fixtureLaws()}, Rebuild: true}
	_, err := Open(context.Background(), o)
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Open = %v, want ErrNoSpace", err)
	}
	for _, want := range []string{dir, "needs about", "1 MiB is free"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	noBuildFolders(t, dir)
	o.Rebuild = false
	e, err := OpenExisting(o)
	if err != nil {
		t.Fatalf("the old index is gone: %v", err)
	}
	defer e.Close()
	if !e.Stats().Built.Equal(built) {
		t.Error("the old index was replaced")
	}
	mustAnswerCitation(t, e)
}

// A write error inside the index library (a full disk, a folder removed)
// ends the build with an error instead of a wait without end, whether it
// happens while documents are written or while segments are merged.
func TestWriteErrorDuringBuildIsAnError(t *testing.T) {
	for _, stage := range []string{"created", "indexed"} {
		t.Run(stage, func(t *testing.T) {
			dir, built := buildFixture(t)
			defer func(h func(string, string)) { buildHook = h }(buildHook)
			removed := false
			buildHook = func(s, bleveDir string) {
				if s == stage {
					removed = os.RemoveAll(bleveDir) == nil
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, err := Open(ctx, Options{DataDir: dir, Laws: []string{fixtureLaws()}, Rebuild: true})
			if !removed {
				t.Skip("cannot remove an open index folder on this system")
			}
			if err == nil {
				t.Fatal("the build succeeded without its index folder")
			}
			t.Logf("build error: %v", err)
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("the build hung until its deadline: %v", err)
			}
			noBuildFolders(t, dir)
			e, err := OpenExisting(Options{DataDir: dir, Laws: []string{fixtureLaws()}})
			if err != nil {
				t.Fatalf("the old index is gone: %v", err)
			}
			defer e.Close()
			if !e.Stats().Built.Equal(built) {
				t.Error("the old index was replaced")
			}
		})
	}
}

// On a real, tiny filesystem (a tmpfs; needs root, so it is skipped
// elsewhere): the free-space check refuses the build, and with the check
// out of the way the full disk ends the build with an error wherever the
// space runs out, leaving no partial build behind.
func TestBuildOnAFullFilesystem(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux to mount a small tmpfs")
	}
	for _, size := range []string{"64k", "96k", "128k", "256k"} {
		t.Run(size, func(t *testing.T) {
			mnt := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", mnt).CombinedOutput(); err != nil {
				t.Skipf("mount tmpfs: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("umount", mnt).Run() })
			o := Options{DataDir: mnt, Laws: []string{fixtureLaws()}}
			if _, err := Open(context.Background(), o); !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), mnt) {
				t.Fatalf("Open on a %s filesystem = %v, want ErrNoSpace naming %s", size, err, mnt)
			}
			defer func(f func(string) (uint64, bool)) { diskFree = f }(diskFree)
			diskFree = func(string) (uint64, bool) { return 1 << 40, true }
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, err := Open(ctx, o)
			t.Logf("build error: %v", err)
			if err == nil {
				t.Fatal("the build succeeded on a full filesystem")
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the build hung on a full filesystem")
			}
			noBuildFolders(t, filepath.Join(mnt))
		})
	}
}

// A build waits for another build of the same data folder (which holds
// the lock) instead of removing its folder, and removes it once that build
// is over (as after a kill).
func TestBuildWaitsForAnotherBuild(t *testing.T) {
	dir, _ := buildFixture(t)
	release, err := lockBuild(context.Background(), dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, buildPrefix+"running")
	if err := os.MkdirAll(other, 0o750); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		e, err := Open(context.Background(), Options{DataDir: dir, Laws: []string{fixtureLaws()}, Rebuild: true})
		if err == nil {
			e.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Open did not wait for the other build: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("the running build's folder was removed: %v", err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	noBuildFolders(t, dir)
}
