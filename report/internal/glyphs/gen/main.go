// Command gen writes the CJK font subset that the report charts embed.
//
// It keeps, from a TrueType font with CJK coverage, only the glyphs of the
// runes the charts can draw: every rune in the string literals of the report
// package's Go files, plus the runes listed in a charset file (common
// characters, so that topic names supplied at run time are covered too).
// Runes that Go Regular (golang.org/x/image/font/gofont) already draws are
// left out, since the renderer takes those from Go Regular. Hinting
// instructions are dropped (the renderer does not hint) and the naming table
// is rewritten to say the font is a modified subset.
//
// Run through go generate in report/internal/glyphs; the source font comes
// from Debian's fonts-droid-fallback package (Apache License 2.0):
//
//	apt-get install fonts-droid-fallback
//	go generate ./report/internal/glyphs
//
// With -freq DIR it instead counts the Han characters of the text files
// under DIR and prints the -n most frequent, one line of 50, to make a
// charset file.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

func main() {
	src := flag.String("src", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "source TrueType font")
	scan := flag.String("scan", "", "directory of Go files whose string literals must be drawable")
	extra := flag.String("extra", "", "charset file: every rune in it (whitespace aside) is kept")
	out := flag.String("out", "cjk.ttf", "output font file")
	freq := flag.String("freq", "", "print the most frequent Han characters of the text under this directory and exit")
	n := flag.Int("n", 2500, "with -freq: how many characters to print")
	flag.Parse()
	var err error
	if *freq != "" {
		err = printFrequent(*freq, *n)
	} else {
		err = generate(*src, *scan, *extra, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(src, scan, extra, out string) error {
	runes := map[rune]bool{}
	if scan != "" {
		if err := scanLiterals(scan, runes); err != nil {
			return err
		}
	}
	if extra != "" {
		data, err := os.ReadFile(extra)
		if err != nil {
			return err
		}
		for _, r := range string(data) {
			if !unicode.IsSpace(r) {
				runes[r] = true
			}
		}
	}
	latin, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return err
	}
	var buf sfnt.Buffer
	var want []rune
	for r := range runes {
		if r < 0x20 || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if g, err := latin.GlyphIndex(&buf, r); err == nil && g != 0 {
			continue
		}
		want = append(want, r)
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	font, missing, err := subset(data, want)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "gen: %d runes not in %s: %s\n", len(missing), filepath.Base(src), string(missing))
	}
	if err := os.WriteFile(out, font, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s: %d runes, %d bytes\n", out, len(want)-len(missing), len(font))
	return nil
}

// scanLiterals adds the runes of every string literal in the non-test Go
// files of dir.
func scanLiterals(dir string, runes map[rune]bool) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, r := range s {
				runes[r] = true
			}
			return true
		})
	}
	return nil
}

func printFrequent(dir string, n int) error {
	counts := map[rune]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(path); ext != ".md" && ext != ".txt" && ext != ".yaml" {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r := bufio.NewReader(f)
		for {
			c, _, err := r.ReadRune()
			if err != nil {
				break
			}
			if unicode.Is(unicode.Han, c) {
				counts[c]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	type rc struct {
		r rune
		n int
	}
	var all []rc
	for r, c := range counts {
		all = append(all, rc{r, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].r < all[j].r
	})
	if len(all) > n {
		all = all[:n]
	}
	sort.Slice(all, func(i, j int) bool { return all[i].r < all[j].r })
	var b strings.Builder
	for i, c := range all {
		b.WriteRune(c.r)
		if i%50 == 49 {
			b.WriteByte('\n')
		}
	}
	fmt.Println(strings.TrimRight(b.String(), "\n"))
	return nil
}

// table is one table of a font file.
type table struct {
	tag  string
	data []byte
}

func readTables(font []byte) (map[string][]byte, error) {
	if len(font) < 12 || binary.BigEndian.Uint32(font) != 0x00010000 {
		return nil, errors.New("not a TrueType font with glyf outlines")
	}
	num := int(binary.BigEndian.Uint16(font[4:]))
	tables := map[string][]byte{}
	for i := range num {
		rec := font[12+16*i:]
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(font)) {
			return nil, fmt.Errorf("table %q out of bounds", rec[:4])
		}
		tables[string(rec[:4])] = font[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "hmtx", "maxp", "loca", "glyf", "cmap", "OS/2", "post", "name"} {
		if tables[tag] == nil {
			return nil, fmt.Errorf("no %s table", tag)
		}
	}
	return tables, nil
}

const (
	argsAreWords  = 0x0001
	haveScale     = 0x0008
	moreComps     = 0x0020
	haveXYScale   = 0x0040
	haveTwoByTwo  = 0x0080
	haveInstrs    = 0x0100
	compHeaderLen = 10
)

// subset builds a TrueType font holding .notdef and the glyphs of runes
// (and the components of composite glyphs). It returns the runes the source
// font lacks.
func subset(font []byte, runes []rune) ([]byte, []rune, error) {
	tables, err := readTables(font)
	if err != nil {
		return nil, nil, err
	}
	parsed, err := sfnt.Parse(font)
	if err != nil {
		return nil, nil, err
	}
	be := binary.BigEndian
	head, hhea, maxp := tables["head"], tables["hhea"], tables["maxp"]
	numGlyphs := int(be.Uint16(maxp[4:]))
	longLoca := be.Uint16(head[50:]) == 1
	loca := tables["loca"]
	glyphData := func(g int) []byte {
		var a, b uint32
		if longLoca {
			a, b = be.Uint32(loca[4*g:]), be.Uint32(loca[4*g+4:])
		} else {
			a, b = 2*uint32(be.Uint16(loca[2*g:])), 2*uint32(be.Uint16(loca[2*g+2:]))
		}
		return tables["glyf"][a:b]
	}
	numHMetrics := int(be.Uint16(hhea[34:]))
	hmtx := tables["hmtx"]
	metrics := func(g int) (adv, lsb uint16) {
		if g < numHMetrics {
			return be.Uint16(hmtx[4*g:]), be.Uint16(hmtx[4*g+2:])
		}
		return be.Uint16(hmtx[4*(numHMetrics-1):]), be.Uint16(hmtx[4*numHMetrics+2*(g-numHMetrics):])
	}

	// New glyph ids: .notdef, then the runes' glyphs in rune order (so runs
	// of consecutive runes make few cmap segments), then components.
	newID := map[int]int{0: 0}
	order := []int{0}
	add := func(g int) int {
		if id, ok := newID[g]; ok {
			return id
		}
		newID[g] = len(order)
		order = append(order, g)
		return newID[g]
	}
	var buf sfnt.Buffer
	var missing []rune
	cmap := map[rune]int{}
	for _, r := range runes {
		if r > 0xFFFF {
			missing = append(missing, r)
			continue
		}
		g, err := parsed.GlyphIndex(&buf, r)
		if err != nil || g == 0 || int(g) >= numGlyphs {
			missing = append(missing, r)
			continue
		}
		cmap[r] = add(int(g))
	}
	for i := 0; i < len(order); i++ { // order grows as components are found
		d := glyphData(order[i])
		if len(d) >= compHeaderLen && int16(be.Uint16(d)) < 0 {
			for p := compHeaderLen; p+4 <= len(d); {
				flags := be.Uint16(d[p:])
				add(int(be.Uint16(d[p+2:])))
				p += 4 + componentArgsLen(flags)
				if flags&moreComps == 0 {
					break
				}
			}
		}
	}

	var glyf, newLoca, newHmtx bytes.Buffer
	for _, g := range order {
		binary.Write(&newLoca, be, uint32(glyf.Len()))
		adv, lsb := metrics(g)
		binary.Write(&newHmtx, be, adv)
		binary.Write(&newHmtx, be, lsb)
		glyf.Write(rewriteGlyph(glyphData(g), newID))
		for glyf.Len()%4 != 0 {
			glyf.WriteByte(0)
		}
	}
	binary.Write(&newLoca, be, uint32(glyf.Len()))

	newHead := bytes.Clone(head)
	be.PutUint32(newHead[8:], 0)  // checkSumAdjustment, set below
	be.PutUint16(newHead[50:], 1) // indexToLocFormat: long
	newHhea := bytes.Clone(hhea)
	be.PutUint16(newHhea[34:], uint16(len(order)))
	newMaxp := bytes.Clone(maxp)
	be.PutUint16(newMaxp[4:], uint16(len(order)))
	post := make([]byte, 32)
	copy(post, tables["post"])
	be.PutUint32(post, 0x00030000) // no glyph names

	out := assemble([]table{
		{"OS/2", tables["OS/2"]},
		{"cmap", buildCmap(cmap)},
		{"glyf", glyf.Bytes()},
		{"head", newHead},
		{"hhea", newHhea},
		{"hmtx", newHmtx.Bytes()},
		{"loca", newLoca.Bytes()},
		{"maxp", newMaxp},
		{"name", buildName(copyright(tables["name"]))},
		{"post", post},
	})
	if _, err := sfnt.Parse(out); err != nil {
		return nil, nil, fmt.Errorf("subset does not parse: %w", err)
	}
	return out, missing, nil
}

func componentArgsLen(flags uint16) int {
	n := 2
	if flags&argsAreWords != 0 {
		n = 4
	}
	switch {
	case flags&haveScale != 0:
		n += 2
	case flags&haveXYScale != 0:
		n += 4
	case flags&haveTwoByTwo != 0:
		n += 8
	}
	return n
}

// rewriteGlyph drops a simple glyph's hinting instructions and renumbers a
// composite glyph's components.
func rewriteGlyph(d []byte, newID map[int]int) []byte {
	be := binary.BigEndian
	if len(d) < compHeaderLen {
		return nil // empty glyph, such as a space
	}
	d = bytes.Clone(d)
	contours := int16(be.Uint16(d))
	if contours < 0 {
		p := compHeaderLen
		for p+4 <= len(d) {
			flags := be.Uint16(d[p:])
			be.PutUint16(d[p+2:], uint16(newID[int(be.Uint16(d[p+2:]))]))
			p += 4 + componentArgsLen(flags)
			if flags&moreComps == 0 {
				if flags&haveInstrs != 0 {
					be.PutUint16(d[p-4-componentArgsLen(flags):], flags&^haveInstrs)
				}
				return d[:p]
			}
		}
		return d
	}
	at := compHeaderLen + 2*int(contours)
	if at+2 > len(d) {
		return d
	}
	n := int(be.Uint16(d[at:]))
	if at+2+n > len(d) {
		return d
	}
	out := append(d[:at:at], 0, 0)
	return append(out, d[at+2+n:]...)
}

// buildCmap writes a cmap with one format 4 subtable (Windows, Unicode BMP).
func buildCmap(m map[rune]int) []byte {
	be := binary.BigEndian
	runes := make([]rune, 0, len(m))
	for r := range m {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	type seg struct{ start, end, delta uint16 }
	var segs []seg
	for _, r := range runes {
		g := m[r]
		if n := len(segs); n > 0 && rune(segs[n-1].end)+1 == r && uint16(g-int(r)) == segs[n-1].delta {
			segs[n-1].end = uint16(r)
			continue
		}
		segs = append(segs, seg{uint16(r), uint16(r), uint16(g - int(r))})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	segX2 := 2 * len(segs)
	searchRange, entrySelector := 2, 0
	for searchRange*2 <= segX2 {
		searchRange *= 2
		entrySelector++
	}
	var sub bytes.Buffer
	length := 16 + 4*segX2
	for _, v := range []uint16{4, uint16(length), 0, uint16(segX2), uint16(searchRange), uint16(entrySelector), uint16(segX2 - searchRange)} {
		binary.Write(&sub, be, v)
	}
	for _, s := range segs {
		binary.Write(&sub, be, s.end)
	}
	binary.Write(&sub, be, uint16(0))
	for _, s := range segs {
		binary.Write(&sub, be, s.start)
	}
	for _, s := range segs {
		binary.Write(&sub, be, s.delta)
	}
	for range segs {
		binary.Write(&sub, be, uint16(0)) // idRangeOffset
	}
	var b bytes.Buffer
	binary.Write(&b, be, []uint16{0, 1, 3, 1})
	binary.Write(&b, be, uint32(12))
	b.Write(sub.Bytes())
	return b.Bytes()
}

// copyright returns the source font's copyright notice (name id 0).
func copyright(name []byte) string {
	be := binary.BigEndian
	count, strOff := int(be.Uint16(name[2:])), int(be.Uint16(name[4:]))
	for i := range count {
		rec := name[6+12*i:]
		platform, enc, id := be.Uint16(rec), be.Uint16(rec[2:]), be.Uint16(rec[6:])
		length, off := int(be.Uint16(rec[8:])), int(be.Uint16(rec[10:]))
		if id != 0 || strOff+off+length > len(name) {
			continue
		}
		s := name[strOff+off : strOff+off+length]
		if platform == 3 && enc == 1 {
			u := make([]uint16, len(s)/2)
			for j := range u {
				u[j] = be.Uint16(s[2*j:])
			}
			return string(utf16.Decode(u))
		}
		if platform == 1 {
			return string(s)
		}
	}
	return ""
}

// buildName writes a naming table that names the subset as a modified font
// and states its licence.
func buildName(copyright string) []byte {
	const family = "Pufabot Chart CJK"
	records := []struct {
		id uint16
		s  string
	}{
		{0, copyright},
		{1, family},
		{2, "Regular"},
		{3, family + " Regular"},
		{4, family + " Regular"},
		{5, "Version 1.0; subset of Droid Sans Fallback"},
		{6, "PufabotChartCJK-Regular"},
		{10, "Modified: a subset of Droid Sans Fallback holding only the glyphs pufabot's report charts draw, with hinting removed."},
		{13, "Licensed under the Apache License, Version 2.0."},
		{14, "https://www.apache.org/licenses/LICENSE-2.0"},
	}
	be := binary.BigEndian
	var strs, recs bytes.Buffer
	for _, r := range records {
		u := utf16.Encode([]rune(r.s))
		binary.Write(&recs, be, []uint16{3, 1, 0x409, r.id, uint16(2 * len(u)), uint16(strs.Len())})
		binary.Write(&strs, be, u)
	}
	var b bytes.Buffer
	binary.Write(&b, be, []uint16{0, uint16(len(records)), uint16(6 + recs.Len())})
	b.Write(recs.Bytes())
	b.Write(strs.Bytes())
	return b.Bytes()
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// assemble writes the font file from tables sorted by tag.
func assemble(tables []table) []byte {
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })
	be := binary.BigEndian
	n := len(tables)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16
	var out bytes.Buffer
	binary.Write(&out, be, uint32(0x00010000))
	binary.Write(&out, be, []uint16{uint16(n), uint16(searchRange), uint16(entrySelector), uint16(16*n - searchRange)})
	off := 12 + 16*n
	headAt := 0
	for _, t := range tables {
		out.WriteString(t.tag)
		binary.Write(&out, be, []uint32{checksum(t.data), uint32(off), uint32(len(t.data))})
		if t.tag == "head" {
			headAt = off
		}
		off += (len(t.data) + 3) &^ 3
	}
	for _, t := range tables {
		out.Write(t.data)
		for out.Len()%4 != 0 {
			out.WriteByte(0)
		}
	}
	b := out.Bytes()
	be.PutUint32(b[headAt+8:], 0xB1B0AFBA-checksum(b))
	return b
}
