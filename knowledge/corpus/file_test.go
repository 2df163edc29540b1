package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoadFilesFolderWins checks how folder texts combine with in-memory
// ones: the same law and version from a folder wins, a newer version
// supersedes the in-memory one whichever side it is on, and byte-identical
// copies are kept once.
func TestLoadFilesFolderWins(t *testing.T) {
	law := func(title, text string) []byte {
		return []byte("# " + title + "\n\n<!-- INFO END -->\n\n第一条 " + text + "\n")
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("劳动法(2018-12-29).md", law("中华人民共和国劳动法", "本地修订的文本。"))
	write("人民调解法(2030-01-01).md", law("中华人民共和国人民调解法", "更新的文本。"))
	write("禁毒法(2007-12-29).md", law("中华人民共和国禁毒法", "相同的文本。"))
	mem := []File{
		{Path: "embedded/社会法/劳动法(2018-12-29).md", Category: "社会法", Data: law("中华人民共和国劳动法", "内置的文本。")},
		{Path: "embedded/诉讼与非诉讼程序法/人民调解法(2010-08-28).md", Category: "诉讼与非诉讼程序法", Data: law("中华人民共和国人民调解法", "旧的文本。")},
		{Path: "embedded/行政法/禁毒法(2007-12-29).md", Category: "行政法", Data: law("中华人民共和国禁毒法", "相同的文本。")},
		{Path: "embedded/宪法/宪法.md", Category: "宪法", Data: law("中华人民共和国宪法", "只在内置中。")},
	}
	c, _, err := LoadFiles([]string{dir}, mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	current := func(name string) *Law {
		t.Helper()
		for _, l := range c.Lookup(name) {
			if !l.Superseded {
				return l
			}
		}
		t.Fatalf("no current version of %s", name)
		return nil
	}
	if got := current("劳动法").Articles[0].Text(); got != "本地修订的文本。" {
		t.Errorf("劳动法 = %q, want the folder's text", got)
	}
	if n := len(c.Lookup("劳动法")); n != 1 {
		t.Errorf("劳动法 has %d versions, want the folder's only", n)
	}
	if l := current("人民调解法"); l.Version != "2030-01-01" {
		t.Errorf("人民调解法 version %s, want the newer folder text", l.Version)
	}
	if ls := c.Lookup("人民调解法"); len(ls) != 2 || !ls[1].Superseded {
		t.Errorf("人民调解法: want the embedded 2010 text kept as superseded, got %d versions", len(ls))
	}
	if l := current("禁毒法"); len(c.Lookup("禁毒法")) != 1 || len(l.Paths) != 2 || l.Paths[0] != filepath.Join(dir, "禁毒法(2007-12-29).md") {
		t.Errorf("禁毒法: %d versions, paths %v", len(c.Lookup("禁毒法")), l.Paths)
	}
	if l := current("宪法"); l.Category != "宪法" || l.Paths[0] != "embedded/宪法/宪法.md" {
		t.Errorf("宪法: category %s, paths %v", l.Category, l.Paths)
	}
}
