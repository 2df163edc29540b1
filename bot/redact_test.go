package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/store"
)

const testSecretToken = "4242:AAFakeSecretPart_0123456789-abcdefXYZ"

func TestRedactSecretsMasksEveryForm(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(RedactSecrets(slog.NewJSONHandler(&buf, nil), testSecretToken, "hook-secret-123"))
	// What net/http returns for a request it cannot make: the URL, with
	// the token, inside the error.
	_, reqErr := http.NewRequest(http.MethodPost, "https://api telegram.org/bot"+testSecretToken+"/getMe", nil)
	if reqErr == nil {
		t.Fatal("want a URL error")
	}
	escaped := &url.Error{Op: "Post", URL: "https://x/bot" + url.PathEscape(testSecretToken) + "%20/getMe", Err: errors.New("EOF")}
	log.With(slog.String("url", "https://x/bot"+testSecretToken+"/getMe")).Warn("request to "+testSecretToken+" failed",
		slog.Any("error", reqErr),
		slog.Any("escaped", escaped),
		slog.String("half", "secret AAFakeSecretPart_0123456789-abcdefXYZ"),
		slog.Group("g", slog.Any("wrapped", fmt.Errorf("webhook: %w", errors.New("bad hook-secret-123")))),
		slog.Int("n", 7),
	)
	out := buf.String()
	for _, leak := range []string{testSecretToken, "AAFakeSecretPart_0123456789-abcdefXYZ", "hook-secret-123"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log contains %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{`"n":7`, "***", "invalid character"} {
		if !strings.Contains(out, want) {
			t.Fatalf("log lost %q:\n%s", want, out)
		}
	}
}

func TestRedactedErrorKeepsChain(t *testing.T) {
	r := newRedactor(testSecretToken)
	base := errors.New("boom " + testSecretToken)
	err := r.err(fmt.Errorf("bot: %w", base))
	if strings.Contains(err.Error(), testSecretToken) {
		t.Fatalf("error not masked: %v", err)
	}
	if !errors.Is(err, base) {
		t.Fatal("errors.Is lost the original error")
	}
	if plain := errors.New("nothing secret"); r.err(plain) != plain {
		t.Fatal("an error without secrets was wrapped")
	}
}

func TestNewRejectsTokensAndURLsThatLeak(t *testing.T) {
	db, err := store.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kb := newFakeKB()
	for name, o := range map[string]Options{
		"control character in token": {Token: "4242:AAFake\rSecret", Store: db, Knowledge: kb},
		"space in token":             {Token: "4242:AAFake Secret", Store: db, Knowledge: kb},
		"no id":                      {Token: ":AAFakeSecret", Store: db, Knowledge: kb},
		"server URL with a space":    {Token: testSecretToken, ServerURL: "https://api telegram.org", Store: db, Knowledge: kb},
		"server URL without scheme":  {Token: testSecretToken, ServerURL: "api.telegram.org", Store: db, Knowledge: kb},
	} {
		_, err := New(o)
		if err == nil {
			t.Errorf("%s: New succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), "AAFake") {
			t.Errorf("%s: error quotes the token: %v", name, err)
		}
	}
	// Surrounding whitespace (a line end from a file) is trimmed.
	if _, err := New(Options{Token: " " + testSecretToken + "\r\n", Store: db, Knowledge: kb}); err != nil {
		t.Fatalf("token with a line end: %v", err)
	}
}

// The bot's own log never shows the token, even when a library error
// quotes the request URL.
func TestBotLogMasksToken(t *testing.T) {
	h := newHarness(t)
	b := h.start()
	b.log.Warn("telegram client", slog.Any("error", fmt.Errorf("error do request: %w",
		&url.Error{Op: "Post", URL: h.srv.URL() + "/bot" + url.PathEscape(h.srv.Token()) + "/sendMessage", Err: context.Canceled})))
	if strings.Contains(h.logs.String(), h.srv.Token()) {
		t.Fatalf("token in the log:\n%s", h.logs.String())
	}
	contains(t, h.logs.String(), "/bot***/sendMessage")
}
