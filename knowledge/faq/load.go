package faq

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed starter/*.yaml
var starterFS embed.FS

// starterTopics is the topic file inside the embedded starter folder.
const starterTopics = "starter/topics.yaml"

// Error is a problem found at a place in a FAQ file.
type Error struct {
	File string // file name as given to Parse or LoadFile
	Line int    // 1-based line, or 0 when unknown
	Msg  string
}

// Error formats the problem as "file:line: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Pack is a set of topics and the entries that belong to them.
type Pack struct {
	Entries []Entry
	Topics  []Topic
}

// StarterTopics returns only the starter pack's topics: much cheaper than
// Starter for callers that need topic names, not entries.
func StarterTopics() ([]Topic, error) {
	data, err := starterFS.ReadFile(starterTopics)
	if err != nil {
		return nil, err
	}
	return parseTopics(starterTopics, data)
}

// StarterDigest identifies the embedded starter pack's content (a hash of
// its files), so an index built from it can tell when it changed without
// parsing it.
func StarterDigest() (string, error) {
	names, err := fs.Glob(starterFS, "starter/*.yaml")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range names {
		data, err := starterFS.ReadFile(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Starter returns the starter pack embedded in the binary, parsed and
// validated. Each call returns a fresh pack that the caller may change.
func Starter() (*Pack, error) {
	topics, err := StarterTopics()
	if err != nil {
		return nil, err
	}
	p := &Pack{Topics: topics}
	names, err := fs.Glob(starterFS, "starter/entries-*.yaml")
	if err != nil {
		return nil, err
	}
	var all []Entry
	for _, name := range names {
		data, err := starterFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		entries, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	if err := p.Merge(all); err != nil {
		return nil, err
	}
	return p, nil
}

// LoadFile reads an extra FAQ file: a YAML list of entries in the same
// format as the starter pack. Loading is strict; errors name the file and
// line. Add the result to a pack with Pack.Merge.
func LoadFile(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes a YAML list of entries. name is used in error messages
// and in each entry's Source. Unknown keys, wrong types, invalid entries
// and IDs repeated within the file are errors naming the line. An empty
// document yields no entries.
func Parse(name string, data []byte) ([]Entry, error) {
	var entries []Entry
	nodes, err := decodeList(name, data, &entries)
	if err != nil || nodes == nil {
		return nil, err
	}
	var errs []error
	seen := map[string]int{}
	for i := range entries {
		e := &entries[i]
		n := nodes[i]
		e.Source = fmt.Sprintf("%s:%d", name, n.Line)
		for _, p := range e.problems() {
			errs = append(errs, &Error{name, problemLine(n, p), entryLabel(e.ID, i) + ": " + p.String()})
		}
		if e.ID == "" {
			continue
		}
		if first, dup := seen[e.ID]; dup {
			errs = append(errs, &Error{name, n.Line, fmt.Sprintf("duplicate id %q (first at line %d)", e.ID, first)})
			continue
		}
		seen[e.ID] = n.Line
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return entries, nil
}

// parseTopics decodes a YAML list of topics and validates each one.
func parseTopics(name string, data []byte) ([]Topic, error) {
	var topics []Topic
	nodes, err := decodeList(name, data, &topics)
	if err != nil {
		return nil, err
	}
	var errs []error
	seen := map[string]int{}
	claimed := map[string]string{} // LawRule.Key → topic id
	for i, t := range topics {
		n := nodes[i]
		for _, p := range t.problems() {
			errs = append(errs, &Error{name, problemLine(n, p), fmt.Sprintf("topic %q: %s", t.ID, p)})
		}
		for j, r := range t.Laws {
			if other, dup := claimed[r.Key()]; dup {
				p := problem{"laws", j, "law", fmt.Sprintf("the same law rule is already in topic %q", other)}
				errs = append(errs, &Error{name, problemLine(n, p), fmt.Sprintf("topic %q: %s", t.ID, p)})
				continue
			}
			claimed[r.Key()] = t.ID
		}
		if first, dup := seen[t.ID]; dup && t.ID != "" {
			errs = append(errs, &Error{name, n.Line, fmt.Sprintf("duplicate topic id %q (first at line %d)", t.ID, first)})
			continue
		}
		seen[t.ID] = n.Line
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return topics, nil
}

func entryLabel(id string, i int) string {
	if id == "" {
		return fmt.Sprintf("entry #%d", i+1)
	}
	return fmt.Sprintf("entry %q", id)
}

// decodeList decodes data, which must hold one YAML document whose top
// level is a list, strictly into out (a pointer to a slice) and returns the
// node of each list item, for line numbers. It returns nil nodes and no
// error for an empty document.
func decodeList(name string, data []byte, out any) ([]*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, &Error{name, more.Line, "more than one YAML document; put all items in one list"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, &Error{name, root.Line, "the top level must be a list (items start with \"- \")"}
	}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(out); err != nil {
		return nil, yamlError(name, err)
	}
	return root.Content, nil
}

var (
	yamlLineMsg  = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
)

// yamlError turns a yaml.v3 error into one *Error per problem, with the
// file name, the line and a plainer message.
func yamlError(name string, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var errs []error
	for _, m := range msgs {
		line := 0
		if sm := yamlLineMsg.FindStringSubmatch(m); sm != nil {
			line, _ = strconv.Atoi(sm[1])
			m = sm[2]
		} else {
			m = strings.TrimPrefix(m, "yaml: ")
		}
		switch {
		case unknownField.MatchString(m):
			sm := unknownField.FindStringSubmatch(m)
			m = fmt.Sprintf("unknown key %q in %s", sm[1], typeLabel(sm[2]))
		case strings.HasPrefix(m, "cannot unmarshal"):
			m = "wrong type: " + m
		}
		errs = append(errs, &Error{name, line, m})
	}
	return errors.Join(errs...)
}

func typeLabel(goType string) string {
	switch strings.TrimPrefix(goType, "faq.") {
	case "Entry":
		return "entry"
	case "ArticleRef":
		return "article reference"
	case "Topic":
		return "topic"
	}
	return goType
}

// problemLine finds the line of the key (or list item) a problem is about,
// falling back to the line of the item itself.
func problemLine(item *yaml.Node, p problem) int {
	if item.Kind != yaml.MappingNode {
		return item.Line
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		if k.Value != p.field {
			continue
		}
		if p.index >= 0 && v.Kind == yaml.SequenceNode && p.index < len(v.Content) {
			elem := v.Content[p.index]
			if p.sub != "" && elem.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(elem.Content); j += 2 {
					if elem.Content[j].Value == p.sub {
						return elem.Content[j].Line
					}
				}
			}
			return elem.Line
		}
		return k.Line
	}
	return item.Line
}

// Topic returns the topic with the given id.
func (p *Pack) Topic(id string) (Topic, bool) {
	for _, t := range p.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return Topic{}, false
}

// Entry returns the entry with the given id.
func (p *Pack) Entry(id string) (Entry, bool) {
	for _, e := range p.Entries {
		if e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}

// EntriesFor returns the entries that belong to the topic, in pack order.
func (p *Pack) EntriesFor(topicID string) []Entry {
	var out []Entry
	for _, e := range p.Entries {
		for _, t := range e.Topics {
			if t == topicID {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// Merge adds extra entries to the pack. Each entry must be valid and its
// topic IDs must name topics of the pack. An ID that is already in the pack
// or repeated among the new entries is an error naming both sources. On
// error the pack is left unchanged.
func (p *Pack) Merge(entries []Entry) error {
	have := make(map[string]string, len(p.Entries)+len(entries))
	for _, e := range p.Entries {
		have[e.ID] = sourceOf(e)
	}
	var errs []error
	for i, e := range entries {
		label := entryLabel(e.ID, i)
		if e.Source != "" {
			label = e.Source + ": " + label
		}
		if err := e.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", label, err))
		}
		for _, t := range e.Topics {
			if _, ok := p.Topic(t); !ok {
				errs = append(errs, fmt.Errorf("%s: unknown topic %q", label, t))
			}
		}
		if e.ID == "" {
			continue
		}
		if prev, dup := have[e.ID]; dup {
			errs = append(errs, fmt.Errorf("duplicate id %q: in %s and in %s", e.ID, prev, sourceOf(e)))
			continue
		}
		have[e.ID] = sourceOf(e)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	p.Entries = append(p.Entries, entries...)
	return nil
}

func sourceOf(e Entry) string {
	if e.Source != "" {
		return e.Source
	}
	return "an entry with no source"
}
