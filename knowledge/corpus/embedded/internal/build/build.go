// Package build makes the embedded law corpus from a LawRefBook checkout:
// the newest version of every document in the national-law folders and the
// judicial interpretations, as a zstd-compressed tar archive with a
// manifest and a NOTICE. The output depends only on the input files, so
// running it twice gives identical bytes.
package build

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/pufabot/pufabot/knowledge/corpus"
)

// Folders are the corpus folders embedded, in the order they are read.
var Folders = []string{"宪法", "民法典", "宪法相关法", "民法商法", "行政法", "经济法", "社会法", "刑法", "诉讼与非诉讼程序法", "司法解释"}

// Manifest describes an embedded corpus.
type Manifest struct {
	Source   string   `json:"source"`
	Commit   string   `json:"commit"`
	Snapshot string   `json:"snapshot"` // YYYY-MM-DD of the source commit
	Folders  []string `json:"folders"`
	Files    int      `json:"files"`
	Laws     int      `json:"laws"`     // documents with articles, amendments left out
	Articles int      `json:"articles"` // articles of those documents
	Size     int      `json:"size"`     // bytes of the uncompressed archive
	SHA256   string   `json:"sha256"`   // of the compressed archive
}

// Output is what Generate makes.
type Output struct {
	Archive  []byte // laws.tar.zst
	Manifest []byte // manifest.json
	Notice   []byte // NOTICE
}

// Generate reads the LawRefBook checkout at src.
func Generate(src string) (Output, error) {
	source, commit, date, err := readSource(filepath.Join(src, "SOURCE.md"))
	if err != nil {
		return Output{}, err
	}
	files, err := selectFiles(src)
	if err != nil {
		return Output{}, err
	}
	snapshot, err := time.Parse("2006-01-02", date)
	if err != nil {
		return Output{}, fmt.Errorf("snapshot date %q: %w", date, err)
	}
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	mem := make([]corpus.File, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(f)))
		if err != nil {
			return Output{}, err
		}
		hdr := &tar.Header{Name: f, Mode: 0o644, Size: int64(len(data)), ModTime: snapshot, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return Output{}, err
		}
		if _, err := tw.Write(data); err != nil {
			return Output{}, err
		}
		mem = append(mem, corpus.File{Path: f, Category: strings.SplitN(f, "/", 2)[0], Data: data})
	}
	if err := tw.Close(); err != nil {
		return Output{}, err
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(16<<20))
	if err != nil {
		return Output{}, err
	}
	archive := enc.EncodeAll(tarBuf.Bytes(), nil)
	c, _, err := corpus.LoadFiles(nil, mem, nil)
	if err != nil {
		return Output{}, err
	}
	m := Manifest{Source: source, Commit: commit, Snapshot: date, Folders: Folders, Files: len(files), Size: tarBuf.Len()}
	for _, l := range c.Laws {
		if l.Amendment || len(l.Articles) == 0 {
			continue
		}
		m.Laws++
		m.Articles += len(l.Articles)
	}
	sum := sha256.Sum256(archive)
	m.SHA256 = hex.EncodeToString(sum[:])
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Output{}, err
	}
	return Output{Archive: archive, Manifest: append(mb, '\n'), Notice: notice(m)}, nil
}

// selectFiles returns the files of the newest version of every document in
// Folders, relative to src with slashes, sorted, each content once.
func selectFiles(src string) ([]string, error) {
	dirs := make([]string, len(Folders))
	for i, f := range Folders {
		dirs[i] = filepath.Join(src, f)
	}
	c, _, err := corpus.Load(dirs, nil)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, l := range c.Laws {
		if l.Superseded {
			continue
		}
		for _, p := range l.Paths {
			rel, err := filepath.Rel(src, p)
			if err != nil {
				return nil, err
			}
			paths = append(paths, filepath.ToSlash(rel))
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	// Keep one copy of byte-identical files (the same law filed in two
	// folders), the first in path order, as Load would.
	seen := map[[32]byte]bool{}
	out := paths[:0]
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New("no law files found")
	}
	// A second text of the same title and version (广告法 is filed in two
	// folders with small differences) is never used: Load keeps the first.
	_, warns, err := corpus.Load(fullPaths(src, out), nil)
	if err != nil {
		return nil, err
	}
	unused := map[string]bool{}
	for _, w := range warns {
		if strings.Contains(w.Msg, "same title and version as") {
			unused[w.Path] = true
		}
	}
	kept := out[:0]
	for _, p := range out {
		if !unused[filepath.Join(src, filepath.FromSlash(p))] {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// fullPaths joins src to each slash-separated relative path.
func fullPaths(src string, rel []string) []string {
	out := make([]string, len(rel))
	for i, p := range rel {
		out[i] = filepath.Join(src, filepath.FromSlash(p))
	}
	return out
}

var (
	repoRE   = regexp.MustCompile("(?m)^\\| repository \\| GitHub `([^`]+)`")
	commitRE = regexp.MustCompile("(?m)^\\| commit \\| `([0-9a-f]{40})`")
	dateRE   = regexp.MustCompile(`(?m)^\| commit date \| (\d{4}-\d{2}-\d{2})`)
)

// readSource reads the repository, commit and commit date from the
// checkout's SOURCE.md.
func readSource(path string) (repo, commit, date string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", "", err
	}
	for _, x := range []struct {
		re  *regexp.Regexp
		out *string
	}{{repoRE, &repo}, {commitRE, &commit}, {dateRE, &date}} {
		m := x.re.FindSubmatch(b)
		if m == nil {
			return "", "", "", fmt.Errorf("%s: no match for %s", path, x.re)
		}
		*x.out = string(m[1])
	}
	return repo, commit, date, nil
}

func notice(m Manifest) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `The law texts in laws.tar.zst come from the LawRefBook collection
(GitHub %s, commit %s, snapshot of %s), which took them from the
national law and regulation database (国家法律法规数据库, flk.npc.gov.cn).

Folders: %s.
Only the newest version of each document is included: %d files, %d documents
with %d articles.

Laws, regulations and official legislative, administrative and judicial
documents are not covered by copyright: 《中华人民共和国著作权法》第五条
("本法不适用于：（一）法律、法规，国家机关的决议、决定、命令和其他具有立法、
行政、司法性质的文件，及其官方正式译文"). The texts are reproduced unchanged;
laws revised or passed after the snapshot date are out of date or absent.

Regenerate with: go generate ./knowledge/corpus/embedded
`, m.Source, m.Commit, m.Snapshot, strings.Join(m.Folders, ", "), m.Files, m.Laws, m.Articles)
	return []byte(b.String())
}
