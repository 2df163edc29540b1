package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/knowledge/corpus/embedded"
)

// TestVersion checks both spellings print the build and the snapshot date
// of the built-in laws.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, err := runCLI(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, want := range []string{"pufabot ", "go1.", "snapshot " + embedded.Snapshot()} {
			if !strings.Contains(out, want) {
				t.Errorf("%v output lacks %q:\n%s", args, want, out)
			}
		}
	}
	out, _, err := runCLI(t, "", "version", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("version --json: %v\n%s", err, out)
	}
	if v.Laws.Snapshot != embedded.Snapshot() || v.Laws.Articles == 0 || v.Version == "" {
		t.Errorf("version --json = %+v", v)
	}
}
