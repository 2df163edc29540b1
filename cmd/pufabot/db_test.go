package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A township's history moves into another database and reports the same
// figures there. (The store suite copies into PostgreSQL.)
func TestDBCopyAndMigrate(t *testing.T) {
	dir := t.TempDir()
	town := filepath.Join(dir, "town.yaml")
	if err := os.WriteFile(town, []byte("data_dir: "+filepath.Join(dir, "town")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runCLI(t, "", "consult", "add", "--config", town, "--topic", "婚姻家庭", "--channel", "phone", "--count", "4", "--date", "2026-03-15"); err != nil {
		t.Fatalf("consult add: %v %s", err, errOut)
	}
	dst := "sqlite:" + filepath.Join(dir, "county", "pufabot.db")
	county := "data_dir: " + filepath.Join(dir, "county") + "\nprivacy:\n  key_file: " + filepath.Join(dir, "town", "pseudonym.key") + "\n"
	out, errOut, err := runCLI(t, "", "db", "copy", "--from", "sqlite:"+filepath.Join(dir, "town", "pufabot.db"), "--to", dst)
	if err != nil {
		t.Fatalf("db copy: %v %s", err, errOut)
	}
	if !strings.Contains(errOut, "consultations        4") || !strings.Contains(out, "copied") {
		t.Fatalf("db copy said %q %q", out, errOut)
	}
	cfg := filepath.Join(dir, "county.yaml")
	if err := os.WriteFile(cfg, []byte(county), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "", "db", "migrate", "--config", cfg)
	if err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("db migrate: %v %q", err, out)
	}
	out, _, err = runCLI(t, "", "report", "--config", cfg, "--year", "2026", "--format", "csv")
	if err != nil || !strings.Contains(out, "4") {
		t.Fatalf("report after copy: %v\n%s", err, out)
	}
	// A second copy would double the history: refused.
	if _, _, err := runCLI(t, "", "db", "copy", "--from", "sqlite:"+filepath.Join(dir, "town", "pufabot.db"), "--to", dst); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Fatalf("second copy: %v", err)
	}
	if _, _, err := runCLI(t, "", "db", "copy", "--from", "mysql://x", "--to", dst); err == nil {
		t.Fatal("unknown source accepted")
	}
}
