package knowledge

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTextsRoundTrip writes article texts and reads them back one by one,
// and refuses a file that does not match the snapshot or is cut short.
func TestTextsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	texts := []string{"第一条的文本。", "", "夫妻一方要求离婚的，可以由有关组织进行调解。", "x"}
	if err := writeTexts(filepath.Join(dir, textsName), texts); err != nil {
		t.Fatal(err)
	}
	s, err := openTexts(dir, len(texts))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range texts {
		if got := s.text(int32(i)); got != want {
			t.Errorf("text %d = %q, want %q", i, got, want)
		}
	}
	s.close()
	if _, err := openTexts(dir, len(texts)+1); err == nil {
		t.Error("a texts file with fewer texts than the snapshot opened")
	}
	path := filepath.Join(dir, textsName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()-1); err != nil {
		t.Fatal(err)
	}
	if _, err := openTexts(dir, len(texts)); err == nil {
		t.Error("a truncated texts file opened")
	}
}
