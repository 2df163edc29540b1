package knowledge

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// An index is written once and then only read, so its files can be checked
// when it is opened: meta.json lists the size and CRC-32C of every other
// file, and the bleve document count. Reading the files once costs little
// next to opening them (the CRC runs at memory speed and the pages are
// then cached for the queries that follow), and it finds what a crash, a
// full disk or a stray write left: truncated or garbled files open without
// an error, or panic in the middle of a query.

// fileSum is the size and checksum of one file of a finished index.
type fileSum struct {
	Size int64  `json:"size"`
	CRC  uint32 `json:"crc32c"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errDamaged marks an index whose files are not as they were written.
var errDamaged = errors.New("index damaged")

// sumFiles returns the size and checksum of every file below dir except
// meta.json, by slash-separated relative path.
func sumFiles(dir string) (map[string]fileSum, error) {
	out := map[string]fileSum{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == metaName {
			return nil
		}
		s, err := sumFile(p)
		if err != nil {
			return err
		}
		out[rel] = s
		return nil
	})
	return out, err
}

func sumFile(path string) (fileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileSum{}, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, f)
	if err != nil {
		return fileSum{}, err
	}
	return fileSum{Size: n, CRC: h.Sum32()}, nil
}

// verifyFiles checks every file listed in sums: sizes first (cheap), then
// contents. An index written before meta.json listed its files has nothing
// to check here; opening it still checks what it can.
func verifyFiles(dir string, sums map[string]fileSum) error {
	for rel, want := range sums {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("%w: %v", errDamaged, err)
		}
		if fi.Size() != want.Size {
			return fmt.Errorf("%w: %s is %d bytes, was written with %d", errDamaged, rel, fi.Size(), want.Size)
		}
	}
	for rel, want := range sums {
		got, err := sumFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("%w: %v", errDamaged, err)
		}
		if got != want {
			return fmt.Errorf("%w: %s does not match its checksum", errDamaged, rel)
		}
	}
	return nil
}

// openChecked opens the finished index in dir described by m, checking its
// files, its document count and its snapshot. Any failure, a panic of the
// index library on garbled data included, wraps errDamaged.
func openChecked(dir string, m meta, log *slog.Logger) (e *Engine, err error) {
	if err := verifyFiles(dir, m.Files); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			if e != nil {
				e.Close()
			}
			e, err = nil, fmt.Errorf("%w: opening it panicked: %v", errDamaged, r)
		}
	}()
	e, err = openDir(dir, log)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errDamaged, err)
	}
	bad := ""
	if n, err := e.idx.DocCount(); err != nil {
		bad = err.Error()
	} else if m.Docs > 0 && n != m.Docs {
		bad = fmt.Sprintf("the search index holds %d documents, %d were written", n, m.Docs)
	}
	if len(e.snap.Articles) != m.Articles || len(e.snap.Laws) != m.Laws || e.snap.Fingerprint != m.Fingerprint {
		bad = "the snapshot does not match meta.json"
	}
	if bad != "" {
		e.Close()
		return nil, fmt.Errorf("%w: %s", errDamaged, bad)
	}
	return e, nil
}

// checkWritten opens the bleve index just built in dir and checks that it
// holds docs documents.
func checkWritten(dir string, docs uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the index written in %s cannot be read: %v", dir, r)
		}
	}()
	idx, err := bleve.OpenUsing(dir, map[string]interface{}{"read_only": true})
	if err != nil {
		return fmt.Errorf("the index written in %s cannot be read: %w", dir, err)
	}
	defer idx.Close()
	n, err := idx.DocCount()
	if err != nil {
		return fmt.Errorf("the index written in %s cannot be read: %w", dir, err)
	}
	if n != docs {
		return fmt.Errorf("the index written in %s holds %d documents, %d were written", dir, n, docs)
	}
	return nil
}

// buildPrefix names the folders an index is built in before it is swapped
// in place.
const buildPrefix = "build-"

// removeStaleBuilds removes the build folders a killed build left in
// parent. The caller holds the build lock (lockBuild), so no other build is
// running.
func removeStaleBuilds(parent string, log *slog.Logger) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, d := range entries {
		if !d.IsDir() || !strings.HasPrefix(d.Name(), buildPrefix) {
			continue
		}
		p := filepath.Join(parent, d.Name())
		if err := os.RemoveAll(p); err != nil {
			log.Warn("cannot remove an unfinished index build", slog.String("dir", p), slog.Any("error", err))
			continue
		}
		log.Info("removed an unfinished index build", slog.String("dir", p))
	}
}

// ErrNoSpace is returned when the disk holding the index has too little
// free space for a build.
var ErrNoSpace = errors.New("not enough free disk space")

// diskFree reports the space free for this user in a folder; tests replace
// it.
var diskFree = freeBytes

// expectedIndexBytes estimates the disk space a build needs at its peak:
// the snapshot plus the bleve segments (written, then merged into one
// while the originals still exist), from the text it indexes. The factors
// are measured on the evaluation corpus (see checkSpace) with a margin.
func expectedIndexBytes(s *snapshot) uint64 {
	var text uint64
	for i, a := range s.Articles {
		text += uint64(len(s.texts[i]))
		if a.Indexed {
			text += uint64(len(s.texts[i])) // searched articles are indexed twice (words, characters)
		}
	}
	for _, e := range s.Examples {
		text += 2 * uint64(len(e.Query))
	}
	for _, e := range s.FAQ {
		text += uint64(len(e.Question) + len(e.Answer))
	}
	return spaceFloor + spacePerTextByte*text
}

const (
	spaceFloor       = 16 << 20
	spacePerTextByte = 4
)

// checkSpace fails with ErrNoSpace, naming the folder and the space
// needed, when the disk holding dir has less free space than need.
func checkSpace(dir string, need uint64) error {
	free, ok := diskFree(dir)
	if !ok || free >= need {
		return nil
	}
	return fmt.Errorf("%w in %s: building the index needs about %s, %s is free", ErrNoSpace, dir, byteSize(need), byteSize(free))
}

func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d KiB", (n+1023)/1024)
	}
}

// buildLockName is the file whose lock a build holds, beside the index.
const buildLockName = "index.lock"

// lockBuild waits until no other build (of this process or another) runs
// on the index in dataDir, and returns the release. Holding it, a build
// may remove any build folder it finds: only a killed build left it.
func lockBuild(ctx context.Context, dataDir string, log *slog.Logger) (release func(), err error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil { // data_dir holds residents' data
		return nil, err
	}
	path := filepath.Join(dataDir, buildLockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("index lock: %w", err)
	}
	waiting := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("index lock %s: %w", path, err)
		}
		if ok {
			return func() { f.Close() }, nil
		}
		if !waiting {
			waiting = true
			log.Info("waiting for another build of the index to finish", slog.String("lock", path))
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
