package corpus

// File is a law text held in memory rather than read from a folder, such
// as one of the corpus embedded in the binary.
type File struct {
	// Path names the file in warnings and Law.Paths; its base name gives
	// the version, as for files on disk ("社会法/劳动法(2018-12-29).md").
	Path string
	// Category is the corpus folder the file belongs to (社会法, 司法解释, …).
	Category string
	Data     []byte
}
