package corpus

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Corpus is a set of parsed laws, sorted by Title then Version.
type Corpus struct {
	Laws []*Law

	// index maps NormalizeTitle keys to laws, newest first; it is valid
	// while Laws is the slice it was built from (see Lookup).
	index   map[string][]*Law
	indexed []*Law
}

// skippedDirs are corpus folders that hold no statutes (case write-ups and
// guides); they are skipped when met below a directory given to Load.
var skippedDirs = map[string]bool{"案例": true, "其他": true}

// sourceFile is a file Load reads.
type sourceFile struct {
	path     string // as found by the walk (dir joined with the relative path)
	rel      string // slash-separated path relative to its dir
	dirIdx   int
	category string
	size     int64
	mtime    int64
	data     []byte // the content of an in-memory File; nil for files on disk
}

// wantFile reports whether a file name is read by Load.
func wantFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".md" && ext != ".txt" {
		return false
	}
	lower := strings.ToLower(name)
	return lower != "source.md" && !strings.HasPrefix(lower, "readme") && lower != "_index.md" && !strings.HasPrefix(name, ".")
}

// collect walks dirs and returns the files Load would read, sorted by path.
func collect(dirs []string) ([]sourceFile, error) {
	var files []sourceFile
	seen := map[string]bool{}
	for di, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		root := corpusRoot(abs)
		if !info.IsDir() {
			if !seen[abs] {
				seen[abs] = true
				files = append(files, sourceFile{path: dir, rel: filepath.Base(dir), dirIdx: di,
					category: category(abs, root), size: info.Size(), mtime: info.ModTime().UnixNano()})
			}
			continue
		}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if p != dir && (skippedDirs[name] || strings.HasPrefix(name, ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !wantFile(name) {
				return nil
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			pabs := filepath.Join(abs, rel)
			if seen[pabs] {
				return nil
			}
			seen[pabs] = true
			fi, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, sourceFile{path: p, rel: filepath.ToSlash(rel), dirIdx: di,
				category: category(pabs, root), size: fi.Size(), mtime: fi.ModTime().UnixNano()})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(files, func(a, b sourceFile) int { return strings.Compare(a.path, b.path) })
	return files, nil
}

// corpusRoot returns the nearest directory at or above dir that holds the
// corpus index (db.sqlite3 or SOURCE.md) outside the DLC tree, or "".
func corpusRoot(dir string) string {
	for d := dir; ; {
		if !isLocalDir(d) {
			for _, marker := range [...]string{"SOURCE.md", "db.sqlite3"} {
				if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
					return d
				}
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// isLocalDir reports folders of the local-regulation (DLC) tree.
func isLocalDir(path string) bool {
	for _, c := range strings.Split(filepath.ToSlash(path), "/") {
		if c == "DLC" || c == "地方性法规" || strings.HasSuffix(c, "地方法规") {
			return true
		}
	}
	return false
}

// category returns the category of the file at absolute path p: the
// province for local regulations, the top-level folder below the corpus
// root, or else the file's folder name.
func category(p, root string) string {
	parent := filepath.Base(filepath.Dir(p))
	rel := p
	if root != "" {
		if r, err := filepath.Rel(root, p); err == nil {
			rel = r
		}
	}
	if isLocalDir(filepath.Dir(rel)) {
		return parent
	}
	if root != "" {
		comps := strings.Split(filepath.ToSlash(rel), "/")
		if len(comps) >= 2 && comps[0] != ".." {
			return comps[0]
		}
	}
	return parent
}

// Fingerprint returns a cheap hash over the relative paths, sizes and
// modification times of the files Load would read from dirs; it changes
// when any such file is added, removed or modified.
func Fingerprint(dirs []string) (string, error) {
	files, err := collect(dirs)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	var buf [8]byte
	for _, f := range files {
		binary.LittleEndian.PutUint64(buf[:], uint64(f.dirIdx))
		h.Write(buf[:])
		h.Write([]byte(f.rel))
		h.Write([]byte{0})
		binary.LittleEndian.PutUint64(buf[:], uint64(f.size))
		h.Write(buf[:])
		binary.LittleEndian.PutUint64(buf[:], uint64(f.mtime))
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileResult is the outcome of reading and parsing one file.
type fileResult struct {
	p     parsed
	sum   [sha256.Size]byte
	warns []Warning
	ok    bool
}

// Load reads every .md and .txt file below dirs (each the corpus root, a
// folder of it, or a folder of plain .txt files), skipping SOURCE.md,
// README files, the 案例 and 其他 folders and files with neither articles
// nor preamble. The 民法典 part files are merged into one law; duplicates
// (byte-identical, or same title and version) are kept once, the first in
// path order winning and the others added to its Paths; older versions of
// a title are marked Superseded. Files are parsed in parallel; progress,
// if not nil, is called after each file with the number done and the total.
// Unreadable files give warnings; the error is non-nil only when a
// directory cannot be walked.
func Load(dirs []string, progress func(done, total int)) (*Corpus, []Warning, error) {
	return LoadFiles(dirs, nil, progress)
}

// LoadFiles is Load over dirs followed by the in-memory files: a law in
// dirs wins over the same title and version among files, a newer version
// of a law in either supersedes the older ones, and byte-identical files
// are kept once.
func LoadFiles(dirs []string, mem []File, progress func(done, total int)) (*Corpus, []Warning, error) {
	files, err := collect(dirs)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range mem {
		files = append(files, sourceFile{path: f.Path, rel: f.Path, dirIdx: len(dirs), category: f.Category, size: int64(len(f.Data)), data: f.Data})
	}
	results := make([]fileResult, len(files))
	jobs := make(chan int)
	done := make(chan int)
	workers := min(runtime.NumCPU(), max(len(files), 1))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = parseSource(files[i])
				done <- i
			}
		}()
	}
	go func() {
		for i := range files {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(done)
	}()
	n := 0
	for range done {
		n++
		if progress != nil {
			progress(n, len(files))
		}
	}

	var warns []Warning
	for i := range results {
		warns = append(warns, results[i].warns...)
	}
	c := &Corpus{}
	warns = append(warns, c.assemble(files, results)...)
	slices.SortStableFunc(warns, func(a, b Warning) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
	return c, warns, nil
}

// parseSource reads and parses one file.
func parseSource(f sourceFile) fileResult {
	data, err := f.data, error(nil)
	if data == nil {
		data, err = os.ReadFile(f.path)
	}
	if err != nil {
		return fileResult{warns: []Warning{{Path: f.path, Msg: fmt.Sprintf("cannot read: %v", err)}}}
	}
	p, warns := parseBytes(f.path, data)
	p.law.Category = f.category
	return fileResult{p: p, sum: sha256.Sum256(data), warns: warns, ok: true}
}

// group collects the files of one title and version.
type group struct {
	law   *Law
	dir   string    // folder of the first file
	sum   [32]byte  // content hash of the first file
	parts []*parsed // part files merged into law (民法典), in path order
}

// assemble merges, deduplicates and sorts the parsed files into c.
func (c *Corpus) assemble(files []sourceFile, results []fileResult) []Warning {
	var warns []Warning
	bySum := map[[32]byte]*Law{}
	byKey := map[string]*group{}
	var groups []*group
	for i := range results {
		r := &results[i]
		if !r.ok {
			continue
		}
		law := r.p.law
		if len(law.Articles) == 0 && law.Preamble == "" {
			continue
		}
		path := files[i].path
		if first, ok := bySum[r.sum]; ok {
			first.Paths = append(first.Paths, path)
			continue
		}
		key := NormalizeTitle(law.Title) + "@" + law.Version
		g, ok := byKey[key]
		if !ok {
			g = &group{law: law, dir: filepath.Dir(path), sum: r.sum}
			if r.p.subtitle != "" {
				g.parts = []*parsed{&r.p}
			}
			byKey[key] = g
			groups = append(groups, g)
			bySum[r.sum] = law
			continue
		}
		bySum[r.sum] = g.law
		if r.p.subtitle != "" && len(g.parts) > 0 && filepath.Dir(path) == g.dir {
			g.parts = append(g.parts, &r.p)
			continue
		}
		g.law.Paths = append(g.law.Paths, path)
		warns = append(warns, Warning{Path: path, Msg: fmt.Sprintf("same title and version as %s but different content; kept %s", g.law.Paths[0], g.law.Paths[0])})
	}
	for _, g := range groups {
		if len(g.parts) > 1 {
			g.law = mergeParts(g.parts, &warns)
		}
		c.Laws = append(c.Laws, g.law)
	}
	uniqueIDs(c.Laws)
	markSuperseded(c.Laws)
	slices.SortFunc(c.Laws, func(a, b *Law) int {
		return cmp.Or(strings.Compare(a.Title, b.Title), strings.Compare(a.Version, b.Version), strings.Compare(a.Paths[0], b.Paths[0]))
	})
	c.buildIndex()
	return warns
}

// mergeParts merges the part files of one law (the 编 of 民法典) in the
// order of their first article.
func mergeParts(parts []*parsed, warns *[]Warning) *Law {
	firstNum := func(p *parsed) int {
		if len(p.law.Articles) == 0 {
			return int(^uint(0) >> 1)
		}
		return p.law.Articles[0].Number
	}
	slices.SortStableFunc(parts, func(a, b *parsed) int { return cmp.Compare(firstNum(a), firstNum(b)) })
	base := *parts[0].law
	law := &base
	law.Paths = nil
	law.Meta = nil
	law.Articles = nil
	var preambles []string
	metaSeen := map[string]bool{}
	for _, p := range parts {
		// Keep the additional paths of duplicated parts too.
		law.Paths = append(law.Paths, p.law.Paths...)
		for _, m := range p.law.Meta {
			if !metaSeen[m] {
				metaSeen[m] = true
				law.Meta = append(law.Meta, m)
			}
		}
		if p.law.Preamble != "" {
			preambles = append(preambles, p.law.Preamble)
		}
		for _, a := range p.law.Articles {
			if n := len(law.Articles); n > 0 {
				last := law.Articles[n-1]
				if a.Number < last.Number || (a.Number == last.Number && suffixIndex(a.Suffix) <= suffixIndex(last.Suffix)) {
					*warns = append(*warns, Warning{Path: p.law.Paths[0], Line: a.Line,
						Msg: fmt.Sprintf("%s overlaps the previous part file", a.Label())})
				}
			}
			law.Articles = append(law.Articles, a)
		}
	}
	law.Preamble = strings.Join(preambles, "\n")
	return law
}

// uniqueIDs keeps law IDs unique: two undated files of one title whose
// headers give different versions would otherwise share the bare title.
// The later one in path order gets its version added.
func uniqueIDs(laws []*Law) {
	seen := make(map[string]bool, len(laws))
	for _, l := range laws {
		if seen[l.ID] {
			l.ID = l.Title + "@" + l.Version
			for n := 2; seen[l.ID]; n++ {
				l.ID = fmt.Sprintf("%s@%s#%d", l.Title, l.Version, n)
			}
		}
		seen[l.ID] = true
	}
}

// markSuperseded flags every law for which a newer version of the same
// title is present.
func markSuperseded(laws []*Law) {
	newest := map[string]string{}
	for _, l := range laws {
		k := NormalizeTitle(l.Title)
		if v, ok := newest[k]; !ok || l.Version > v {
			newest[k] = l.Version
		}
	}
	for _, l := range laws {
		l.Superseded = l.Version < newest[NormalizeTitle(l.Title)]
	}
}

// buildIndex prepares Lookup.
func (c *Corpus) buildIndex() {
	c.index = lookupIndex(c.Laws)
	c.indexed = c.Laws
}

// lookupIndex groups laws by NormalizeTitle, newest version first.
func lookupIndex(laws []*Law) map[string][]*Law {
	idx := make(map[string][]*Law, len(laws))
	for _, l := range laws {
		k := NormalizeTitle(l.Title)
		idx[k] = append(idx[k], l)
	}
	for _, ls := range idx {
		slices.SortStableFunc(ls, func(a, b *Law) int { return strings.Compare(b.Version, a.Version) })
	}
	return idx
}

// Lookup returns the laws whose NormalizeTitle(Title) equals
// NormalizeTitle(name), newest version first. It uses the index built by
// Load while c.Laws is the slice Load returned, and scans otherwise.
func (c *Corpus) Lookup(name string) []*Law {
	key := NormalizeTitle(name)
	if c.index != nil && len(c.indexed) == len(c.Laws) && (len(c.Laws) == 0 || &c.indexed[0] == &c.Laws[0]) {
		return slices.Clone(c.index[key])
	}
	var out []*Law
	for _, l := range c.Laws {
		if NormalizeTitle(l.Title) == key {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(a, b *Law) int { return strings.Compare(b.Version, a.Version) })
	return out
}

// NumArticles returns the total number of articles in the corpus.
func (c *Corpus) NumArticles() int {
	n := 0
	for _, l := range c.Laws {
		n += len(l.Articles)
	}
	return n
}
