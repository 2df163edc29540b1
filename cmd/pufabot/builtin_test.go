package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestLawsNamesBuiltinSnapshot checks that `pufabot laws` says how current
// the built-in texts are, and says nothing of them when they are off.
func TestLawsNamesBuiltinSnapshot(t *testing.T) {
	var on, off bytes.Buffer
	if err := printLaws(&on, lawsReport{BuiltinSnapshot: "2025-04-19"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(on.String(), "LawRefBook 2025-04-19 的快照") {
		t.Errorf("laws output lacks the snapshot date:\n%s", on.String())
	}
	if err := printLaws(&off, lawsReport{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(off.String(), "内置") {
		t.Errorf("laws output names built-in texts that are off:\n%s", off.String())
	}
}
