// Package embedded carries the national laws in force and the judicial
// interpretations inside the binary (a LawRefBook snapshot, see NOTICE), so
// pufabot answers with the law on a machine with no corpus folder.
package embedded

//go:generate go run ./gen -src ../../../../shared/laws -out .

import (
	"archive/tar"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/corpus/embedded/internal/build"
)

var (
	//go:embed laws.tar.zst
	archive []byte
	//go:embed manifest.json
	manifestJSON []byte
	// Notice is the source and licence note of the embedded texts.
	//
	//go:embed NOTICE
	Notice string
)

// PathPrefix starts the Path of every embedded file, so warnings and
// corpus.Law.Paths show where a text came from.
const PathPrefix = "embedded/"

// Manifest describes the embedded corpus: its source, snapshot date and
// counts.
type Manifest = build.Manifest

var manifest = sync.OnceValues(func() (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return m, fmt.Errorf("embedded corpus manifest: %w", err)
	}
	return m, nil
})

// Info returns the manifest of the embedded corpus.
func Info() Manifest {
	m, err := manifest()
	if err != nil {
		panic(err) // the manifest is generated with the archive; a test decodes it
	}
	return m
}

// Snapshot returns the date of the source snapshot, YYYY-MM-DD.
func Snapshot() string { return Info().Snapshot }

// Digest identifies the embedded texts (the archive's SHA-256, recorded at
// generation), so an index knows when it was built from other texts.
func Digest() string { return Info().SHA256 }

// Files decodes the embedded corpus. Each call decodes afresh (about 15 MB),
// so callers keep the result only as long as they need it.
func Files() ([]corpus.File, error) {
	m := Info()
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(m.Size)+1<<20))
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	raw, err := dec.DecodeAll(archive, make([]byte, 0, m.Size))
	if err != nil {
		return nil, fmt.Errorf("embedded corpus: %w", err)
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	files := make([]corpus.File, 0, m.Files)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("embedded corpus: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data := make([]byte, h.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			return nil, fmt.Errorf("embedded corpus %s: %w", h.Name, err)
		}
		cat, _, _ := strings.Cut(h.Name, "/")
		files = append(files, corpus.File{Path: PathPrefix + h.Name, Category: cat, Data: data})
	}
	return files, nil
}
