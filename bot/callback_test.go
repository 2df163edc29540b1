package bot

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/store"
)

func TestCallbackCodec(t *testing.T) {
	c := callbackCodec{key: []byte("0123456789abcdef0123456789abcdef")}
	data, ok := c.encode(42, actMore, "123", "3")
	if !ok || len(data) > maxCallbackLen {
		t.Fatalf("encode = %q, %v", data, ok)
	}
	got, err := c.decode(42, data)
	if err != nil || got.action != actMore || got.arg(0) != "123" || got.arg(1) != "3" || got.arg(2) != "" {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	if n, err := got.int64Arg(0); err != nil || n != 123 {
		t.Fatalf("int64Arg = %d, %v", n, err)
	}
	noArgs, _ := c.encode(42, actTopics)
	if got, err := c.decode(42, noArgs); err != nil || got.action != actTopics || len(got.args) != 0 {
		t.Fatalf("no args: %+v, %v", got, err)
	}
	// An article id with dots and dashes, as the knowledge base makes them.
	id := "a1b2c3d4-1079.2"
	data, ok = c.encode(-1001234567890, actFullText, id)
	if got, err := c.decode(-1001234567890, data); !ok || err != nil || got.arg(0) != id {
		t.Fatalf("article id: %+v, %v", got, err)
	}

	bad := []struct {
		name string
		chat int64
		data string
	}{
		{"other chat", 43, data},
		{"altered", -1001234567890, strings.Replace(data, "1079", "1080", 1)},
		{"old version", -1001234567890, "0" + data[1:]},
		{"no mac", -1001234567890, "1a:" + id},
		{"empty", 1, ""},
		{"too long", 1, strings.Repeat("1", 65)},
		{"other key", 1, func() string {
			d, _ := (callbackCodec{key: []byte("another key of sixteen+")}).encode(1, actMenu, "ask")
			return d
		}()},
	}
	for _, b := range bad {
		if _, err := c.decode(b.chat, b.data); err == nil {
			t.Errorf("%s: decoded %q", b.name, b.data)
		}
	}
	if _, ok := c.encode(1, actFullText, strings.Repeat("x", 60)); ok {
		t.Error("encoded data over 64 bytes")
	}
	if _, ok := c.encode(1, actFullText, "a:b"); ok {
		t.Error("encoded an argument containing the separator")
	}
	var forged callback
	forged.args = []string{"-5"}
	if _, err := forged.int64Arg(0); err == nil {
		t.Error("negative id accepted")
	}
}

func TestCallbackKeyPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c1, err := loadCallbackCodec(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := c1.encode(7, actMenu, menuAsk)
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c2, err := loadCallbackCodec(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.decode(7, data); err != nil {
		t.Fatal("buttons stopped working after a restart")
	}
}
