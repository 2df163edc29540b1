// Command gen writes the embedded law corpus (laws.tar.zst, manifest.json
// and NOTICE) from a LawRefBook checkout:
//
//	go run ./gen -src ../../../../shared/laws -out .
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pufabot/pufabot/knowledge/corpus/embedded/internal/build"
)

func main() {
	src := flag.String("src", "../../../../shared/laws", "LawRefBook checkout (with SOURCE.md)")
	out := flag.String("out", ".", "folder to write laws.tar.zst, manifest.json and NOTICE into")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	o, err := build.Generate(src)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{"laws.tar.zst": o.Archive, "manifest.json": o.Manifest, "NOTICE": o.Notice} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("laws.tar.zst: %d bytes\n%s", len(o.Archive), o.Manifest)
	return nil
}
