package main

import (
	"os"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// TestSubsetKeepsOutlines subsets the committed subset again (it is itself
// a TrueType font, so the test needs no system font) and checks that the
// kept glyphs have the same outlines and advances and the rest are gone.
func TestSubsetKeepsOutlines(t *testing.T) {
	src, err := os.ReadFile("../cjk.ttf")
	if err != nil {
		t.Fatal(err)
	}
	keep := []rune("婚姻家庭（）")
	out, missing, err := subset(src, append(keep, 'A')) // cjk.ttf has no Latin
	if err != nil {
		t.Fatal(err)
	}
	if string(missing) != "A" {
		t.Errorf("missing = %q, want A", string(missing))
	}
	if len(out) >= len(src)/10 {
		t.Errorf("subset of %d runes is %d bytes, source %d", len(keep), len(out), len(src))
	}
	a, err := sfnt.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sfnt.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	// Droid Sans Fallback builds many characters from shared components
	// (婚 and 姻 share 女), which come along.
	if n := b.NumGlyphs(); n < len(keep)+1 || n > 3*len(keep)+1 {
		t.Errorf("%d glyphs for %d runes", n, len(keep))
	}
	var ba, bb sfnt.Buffer
	ppem := fixed.I(100)
	for _, r := range keep {
		ga, _ := a.GlyphIndex(&ba, r)
		gb, err := b.GlyphIndex(&bb, r)
		if err != nil || gb == 0 {
			t.Errorf("%q lost: %v", r, err)
			continue
		}
		sa, err := a.LoadGlyph(&ba, ga, ppem, nil)
		if err != nil {
			t.Fatal(err)
		}
		sa = append(sfnt.Segments(nil), sa...)
		sb, err := b.LoadGlyph(&bb, gb, ppem, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(sa) != len(sb) {
			t.Errorf("%q: %d segments, want %d", r, len(sb), len(sa))
			continue
		}
		for i := range sa {
			if sa[i] != sb[i] {
				t.Errorf("%q: segment %d differs", r, i)
				break
			}
		}
		adva, _ := a.GlyphAdvance(&ba, ga, ppem, 0)
		advb, _ := b.GlyphAdvance(&bb, gb, ppem, 0)
		if adva != advb {
			t.Errorf("%q: advance %v, want %v", r, advb, adva)
		}
	}
	if g, _ := b.GlyphIndex(&bb, '法'); g != 0 {
		t.Error("a rune not asked for is still mapped")
	}
}

func TestBuildCmapRuns(t *testing.T) {
	m := map[rune]int{'a': 1, 'b': 2, 'c': 3, 'x': 7, 'y': 5}
	font := buildCmap(m)
	// header (4) + encoding record (8) + format 4 header (14): segCountX2.
	segX2 := int(font[12+6])<<8 | int(font[12+7])
	if segX2 != 2*4 { // a–c, x, y, and the closing 0xFFFF segment
		t.Errorf("%d segments, want 4", segX2/2)
	}
}
