package knowledge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Article texts live in their own file beside the snapshot, read on demand:
// opening the engine then decodes only the articles' numbers and headings,
// and a process holds in memory the few texts it shows, not all of them.
//
// Layout: "PFTX" magic, uint32 count n, n+1 uint32 offsets into the data
// that follows (text i is data[off[i]:off[i+1]]), then the UTF-8 texts.
const (
	textsName  = "texts.bin"
	textsMagic = "PFTX"
)

// writeTexts writes texts to path.
func writeTexts(path string, texts []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	head := make([]byte, 8+4*(len(texts)+1))
	copy(head, textsMagic)
	binary.LittleEndian.PutUint32(head[4:], uint32(len(texts)))
	var off uint64
	for i, t := range texts {
		binary.LittleEndian.PutUint32(head[8+4*i:], uint32(off))
		off += uint64(len(t))
	}
	if off > 1<<32-1 {
		f.Close()
		return errors.New("article texts over 4 GiB")
	}
	binary.LittleEndian.PutUint32(head[8+4*len(texts):], uint32(off))
	_, err = f.Write(head)
	for _, t := range texts {
		if err != nil {
			break
		}
		_, err = io.WriteString(f, t)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// textStore holds article texts: in memory (an index being built, or the
// FAQ-only engine) or in an open texts file.
type textStore struct {
	mem []string

	f    *os.File
	base int64    // file offset of the data
	off  []uint32 // len n+1
	size int64
}

// openTexts opens the texts file in dir and checks it holds n texts.
func openTexts(dir string, n int) (*textStore, error) {
	f, err := os.Open(filepath.Join(dir, textsName))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*textStore, error) {
		f.Close()
		return nil, fmt.Errorf("article texts: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	var head [8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return fail(err)
	}
	if string(head[:4]) != textsMagic || int(binary.LittleEndian.Uint32(head[4:])) != n {
		return fail(fmt.Errorf("%s does not match the snapshot", textsName))
	}
	raw := make([]byte, 4*(n+1))
	if _, err := io.ReadFull(f, raw); err != nil {
		return fail(err)
	}
	s := &textStore{f: f, base: int64(8 + len(raw)), off: make([]uint32, n+1), size: fi.Size()}
	for i := range s.off {
		s.off[i] = binary.LittleEndian.Uint32(raw[4*i:])
		if i > 0 && s.off[i] < s.off[i-1] {
			return fail(fmt.Errorf("%s: offsets out of order", textsName))
		}
	}
	if s.base+int64(s.off[n]) != s.size {
		return fail(fmt.Errorf("%s: %d bytes, want %d", textsName, s.size, s.base+int64(s.off[n])))
	}
	return s, nil
}

// text returns the text of article i ("" if it cannot be read: the file
// was checked at open, so only a failing disk gets here).
func (s *textStore) text(i int32) string {
	if s.f == nil {
		return s.mem[i]
	}
	a, b := s.off[i], s.off[i+1]
	if a == b {
		return ""
	}
	buf := make([]byte, b-a)
	if _, err := s.f.ReadAt(buf, s.base+int64(a)); err != nil {
		return ""
	}
	return string(buf)
}

func (s *textStore) close() error {
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}
