package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvTestPostgres names a PostgreSQL database URL; when set, the whole
// suite of this package runs a second time against PostgreSQL, each test
// in a schema of its own.
const EnvTestPostgres = "PUFABOT_TEST_POSTGRES"

// testPostgres is the URL of the run against PostgreSQL, "" on SQLite.
var testPostgres string

func TestMain(m *testing.M) {
	code := m.Run()
	if url := os.Getenv(EnvTestPostgres); url != "" && code == 0 {
		fmt.Fprintln(os.Stderr, "store: running the suite again on PostgreSQL")
		testPostgres = url
		code = m.Run()
	}
	os.Exit(code)
}

// testLocation returns where a test's database lives: a file in a temp
// folder, or a fresh PostgreSQL schema (dropped when the test ends). Open
// it once or several times, as a restart would.
func testLocation(tb testing.TB) string {
	tb.Helper()
	if testPostgres == "" {
		return filepath.Join(tb.TempDir(), "pufabot.db")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "pufabot_test_" + hex.EncodeToString(b[:])
	admin, err := openPostgres(context.Background(), testPostgres)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	sep := "?"
	if strings.Contains(testPostgres, "?") {
		sep = "&"
	}
	return testPostgres + sep + "search_path=" + schema
}

// testKey is the pseudonym key of databases opened by openTestDB on
// PostgreSQL, where the key is never made automatically.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// openTestDB opens a database at a testLocation, as serve would.
func openTestDB(loc string) (*DB, error) {
	if IsPostgresURL(loc) {
		return OpenWith(loc, Options{Key: testKey, KeySource: "the test key"})
	}
	return Open(loc)
}
