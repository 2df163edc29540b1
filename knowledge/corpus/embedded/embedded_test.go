package embedded

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
	"github.com/pufabot/pufabot/knowledge/corpus"
	"github.com/pufabot/pufabot/knowledge/corpus/embedded/internal/build"
)

// TestFilesParse decodes the archive and parses it: the counts recorded at
// generation hold, key laws are whole and the newest version is the one kept.
func TestFilesParse(t *testing.T) {
	m := Info()
	sum := sha256.Sum256(archive)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 || Digest() != got {
		t.Fatalf("archive sha256 %s, manifest says %s", got, m.SHA256)
	}
	if len(archive) > 4<<20 {
		t.Errorf("archive is %d bytes, over 4 MB", len(archive))
	}
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != m.Files {
		t.Fatalf("%d files, manifest says %d", len(files), m.Files)
	}
	folders := map[string]bool{}
	for _, f := range files {
		folders[f.Category] = true
	}
	for _, f := range m.Folders {
		if !folders[f] {
			t.Errorf("no file in folder %s", f)
		}
	}
	c, warns, err := corpus.LoadFiles(nil, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	laws, articles := 0, 0
	for _, l := range c.Laws {
		if l.Superseded {
			t.Errorf("%s %s is superseded by another embedded version", l.Title, l.Version)
		}
		if l.Amendment || len(l.Articles) == 0 {
			continue
		}
		laws++
		articles += len(l.Articles)
	}
	if laws != m.Laws || articles != m.Articles {
		t.Errorf("parsed %d laws with %d articles, manifest says %d and %d", laws, articles, m.Laws, m.Articles)
	}
	// The national laws alone are about 300 with about 22,000 articles.
	if laws < 600 || articles < 30000 {
		t.Errorf("only %d laws with %d articles", laws, articles)
	}
	for _, w := range warns {
		t.Errorf("warning: %s", w) // every index build would repeat it
	}
	for _, tc := range []struct {
		law      string
		articles int
		version  string
		first    string
	}{
		{"中华人民共和国民法典", 1260, "", ""},
		{"中华人民共和国宪法", 143, "", ""},
		{"中华人民共和国劳动合同法", 98, "2012-12-28", ""},
		{"中华人民共和国劳动法", 107, "2018-12-29", ""},
		{"中华人民共和国公司法", 0, "2023-12-29", ""},
		{"中华人民共和国未成年人保护法", 132, "2024-04-26", ""},
	} {
		ls := c.Lookup(tc.law)
		if len(ls) != 1 {
			t.Errorf("%s: %d versions embedded, want 1", tc.law, len(ls))
			continue
		}
		if tc.articles > 0 && len(ls[0].Articles) != tc.articles {
			t.Errorf("%s: %d articles, want %d", tc.law, len(ls[0].Articles), tc.articles)
		}
		if tc.version != "" && ls[0].Version != tc.version {
			t.Errorf("%s: version %s, want %s", tc.law, ls[0].Version, tc.version)
		}
	}
	civil := c.Lookup("民法典")[0]
	if a := civil.Articles[1078]; a.Number != 1079 || !bytes.HasPrefix([]byte(a.Text()), []byte("夫妻一方要求离婚的")) {
		t.Errorf("民法典 article 1079 = %d %q", a.Number, a.Text())
	}
}

// TestRegenerate checks that the generator, run on the LawRefBook checkout
// in ../shared, reproduces the embedded files byte for byte.
func TestRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating reads the whole corpus")
	}
	if raceDetector && os.Getenv("PUFABOT_LONG_TESTS") == "" {
		t.Skip("regenerating under -race takes minutes (PUFABOT_LONG_TESTS=1 runs it)")
	}
	laws := shared.LawsDir(t)
	o, err := build.Generate(laws)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"laws.tar.zst": o.Archive, "manifest.json": o.Manifest, "NOTICE": o.Notice} {
		want, err := os.ReadFile(filepath.Join(".", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from a fresh generation from %s (%d vs %d bytes); run go generate ./knowledge/corpus/embedded", name, laws, len(got), len(want))
		}
	}
}
