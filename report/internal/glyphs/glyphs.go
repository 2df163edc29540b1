// Package glyphs draws the Chinese and Latin text of the report charts with
// fonts embedded in the binary, so charts render the same on a machine with
// no fonts installed.
//
// Latin letters, digits and common punctuation come from Go Regular
// (golang.org/x/image/font/gofont, BSD licence). Chinese characters come
// from cjk.ttf, a subset of Droid Sans Fallback (Apache License 2.0, see
// NOTICE) holding the characters of every label in package report plus the
// 3,500 characters most frequent in Chinese statutes (charset.txt), made by
// the generator in gen/. A rune neither font has is drawn as Fallback,
// never as an empty box.
package glyphs

//go:generate go run ./gen -src /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf -scan ../.. -extra charset.txt -out cjk.ttf

import (
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

//go:embed cjk.ttf
var cjkTTF []byte

// Fallback is drawn for a rune that no embedded font has.
const Fallback = '?'

type fonts struct {
	latin, cjk *sfnt.Font
}

var parsed = sync.OnceValues(func() (fonts, error) {
	latin, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return fonts{}, fmt.Errorf("glyphs: Go Regular: %w", err)
	}
	cjk, err := opentype.Parse(cjkTTF)
	if err != nil {
		return fonts{}, fmt.Errorf("glyphs: cjk.ttf: %w", err)
	}
	return fonts{latin, cjk}, nil
})

func has(f *sfnt.Font, r rune) bool {
	var b sfnt.Buffer
	g, err := f.GlyphIndex(&b, r)
	return err == nil && g != 0
}

// Has reports whether an embedded font draws r.
func Has(r rune) bool {
	fs, err := parsed()
	if err != nil {
		return false
	}
	return r == ' ' || has(fs.latin, r) || has(fs.cjk, r)
}

// Missing returns the runes of s that no embedded font draws, in order of
// appearance, each once.
func Missing(s string) []rune {
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if !seen[r] && !Has(r) {
			out = append(out, r)
		}
		seen[r] = true
	}
	return out
}

// Face draws text at one size. It is not safe for concurrent use.
type Face struct {
	latin, cjk font.Face
	latinFont  *sfnt.Font
	cjkFont    *sfnt.Font
}

// NewFace returns a face of size pixels per em.
func NewFace(size float64) (*Face, error) {
	fs, err := parsed()
	if err != nil {
		return nil, err
	}
	opts := &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}
	latin, err := opentype.NewFace(fs.latin, opts)
	if err != nil {
		return nil, fmt.Errorf("glyphs: %w", err)
	}
	cjk, err := opentype.NewFace(fs.cjk, opts)
	if err != nil {
		return nil, fmt.Errorf("glyphs: %w", err)
	}
	return &Face{latin: latin, cjk: cjk, latinFont: fs.latin, cjkFont: fs.cjk}, nil
}

// pick returns the face that draws r and the rune to draw in its place.
func (f *Face) pick(r rune) (font.Face, rune) {
	switch {
	case r == ' ' || has(f.latinFont, r):
		return f.latin, r
	case has(f.cjkFont, r):
		return f.cjk, r
	default:
		return f.latin, Fallback
	}
}

// Ascent is the height above the baseline of the tallest glyphs, in pixels.
func (f *Face) Ascent() int {
	return max(f.latin.Metrics().Ascent, f.cjk.Metrics().Ascent).Ceil()
}

// Height is the recommended line height in pixels.
func (f *Face) Height() int {
	return max(f.latin.Metrics().Height, f.cjk.Metrics().Height).Ceil()
}

// Width measures s in pixels.
func (f *Face) Width(s string) int {
	var w fixed.Int26_6
	for _, r := range s {
		face, rr := f.pick(r)
		adv, _ := face.GlyphAdvance(rr)
		w += adv
	}
	return w.Ceil()
}

// Draw draws s on dst in color c with its baseline starting at (x, y).
func (f *Face) Draw(dst draw.Image, x, y int, s string, c color.Color) {
	src := image.NewUniform(c)
	dot := fixed.P(x, y)
	for _, r := range s {
		face, rr := f.pick(r)
		dr, mask, mp, adv, ok := face.Glyph(dot, rr)
		if ok {
			draw.DrawMask(dst, dr, src, image.Point{}, mask, mp, draw.Over)
		}
		dot.X += adv
	}
}

// Close releases the face.
func (f *Face) Close() error {
	f.latin.Close()
	return f.cjk.Close()
}
