package glyphs

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

func TestEmbeddedFontIsSmall(t *testing.T) {
	if n := len(cjkTTF); n == 0 || n > 1<<20 {
		t.Errorf("cjk.ttf is %d bytes, want some and at most 1 MiB", n)
	}
}

func TestHas(t *testing.T) {
	for _, r := range "0123456789AZaz%.,()·—普法婚姻诈骗禁毒欠薪（）：，。、" {
		if !Has(r) {
			t.Errorf("no glyph for %q", r)
		}
	}
	if got := string(Missing("法𪚥律\uE000")); got != "𪚥\uE000" {
		t.Errorf("Missing = %q", got)
	}
}

func render(t *testing.T, s string) *image.RGBA {
	t.Helper()
	f, err := NewFace(24)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img := image.NewRGBA(image.Rect(0, 0, 120, 40))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	f.Draw(img, 4, 4+f.Ascent(), s, color.Black)
	return img
}

func inked(img *image.RGBA) int {
	n := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] < 128 {
			n++
		}
	}
	return n
}

func TestDrawsChineseAndLatin(t *testing.T) {
	f, err := NewFace(24)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if w := f.Width("普法2026"); w < 80 || w > 130 {
		t.Errorf("width of 普法2026 at 24px = %d", w)
	}
	if n := inked(render(t, "普法")); n < 60 {
		t.Errorf("普法 drew only %d dark pixels", n)
	}
}

// An uncovered rune is drawn as Fallback, not as an empty box.
func TestFallback(t *testing.T) {
	got, want := render(t, "𪚥"), render(t, string(Fallback))
	if string(got.Pix) != string(want.Pix) {
		t.Error("an uncovered rune is not drawn as the fallback glyph")
	}
}
