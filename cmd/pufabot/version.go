package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/pufabot/pufabot/knowledge/corpus/embedded"
)

func init() {
	register(command{name: "version", summary: "print the build and the built-in law snapshot", run: runVersion})
}

// Release builds set these (scripts/release.sh): -ldflags "-X
// main.buildDate=2026-11-30T00:00:00Z -X main.commit=…". The commit is
// also read from the VCS stamp Go writes into binaries built in a
// checkout.
var buildDate, commit string

// versionInfo is what `pufabot version` prints.
type versionInfo struct {
	Version   string `json:"version"`    // module version, "(devel)" for a local build
	Commit    string `json:"commit"`     // VCS revision, "" when not stamped
	Modified  bool   `json:"modified"`   // built from a work tree with changes
	Committed string `json:"committed"`  // time of that commit
	BuildDate string `json:"build_date"` // set by release builds
	Go        string `json:"go"`
	Platform  string `json:"platform"`
	// Laws describes the law texts built into the binary.
	Laws embedded.Manifest `json:"laws"`
}

func readVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Commit: commit, BuildDate: buildDate, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Laws: embedded.Info()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Committed = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs, _ := newFlags(e, "version", "[--json]")
	asJSON := fs.Bool("json", false, "print as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	v := readVersion()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return printVersion(e.stdout, v)
}

func printVersion(w io.Writer, v versionInfo) error {
	commit := v.Commit
	if commit == "" {
		commit = "unknown"
	} else if v.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(w, "pufabot %s\n", v.Version)
	fmt.Fprintf(w, "commit:     %s\n", commit)
	if v.Committed != "" {
		fmt.Fprintf(w, "committed:  %s\n", v.Committed)
	}
	if v.BuildDate != "" {
		fmt.Fprintf(w, "built:      %s\n", v.BuildDate)
	}
	fmt.Fprintf(w, "go:         %s %s\n", v.Go, v.Platform)
	_, err := fmt.Fprintf(w, "laws:       %s snapshot %s (commit %.12s), %d documents, %d articles built in\n",
		v.Laws.Source, v.Laws.Snapshot, v.Laws.Commit, v.Laws.Laws, v.Laws.Articles)
	return err
}
