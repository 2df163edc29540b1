package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
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

// TestLogsNameResidentsByPseudonym: refused staff commands, forged
// buttons and blocked chats are logged with the resident's pseudonym, the
// one their consultations carry, never their Telegram id.
func TestLogsNameResidentsByPseudonym(t *testing.T) {
	const carol int64 = 7034219587
	h := newHarness(t, func(o *Options) { o.Broadcaster = &fakeBroadcaster{} })
	h.start()
	p, _ := h.db.Pseudonym(context.Background(), carol)

	h.say(carol, carol, "/stats")
	h.handled(h.srv.PushCallback(carol, carol, 1, "1Mask.AAAAAAAA"))
	h.say(carol, carol, "/subscribe all")
	h.srv.Block(carol)
	h.say(carol, carol, "离婚")

	logs := h.logs.String()
	for _, msg := range []string{"staff command refused", "stale callback", "chat blocked the bot"} {
		line := logLine(logs, msg)
		if line == "" {
			t.Fatalf("no %q line in\n%s", msg, logs)
		}
		if !strings.Contains(line, "resident="+p) {
			t.Errorf("%q line lacks the pseudonym %s: %s", msg, p, line)
		}
	}
	if strings.Contains(logs, strconv.FormatInt(carol, 10)) {
		t.Errorf("the resident's Telegram id is in the log:\n%s", logs)
	}
	// Staff act in their role: their id and the staff chat's stay.
	h.say(staffChat, adminID, "/tickets")
	if line := logLine(h.logs.String(), "staff command"); !strings.Contains(line, "staff_user_id=9001") {
		t.Errorf("staff command line: %s", line)
	}
}

func logLine(logs, msg string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `msg="`+msg+`"`) || strings.Contains(l, "msg="+msg+" ") {
			return l
		}
	}
	return ""
}

func TestIDRedactorKeepsGroups(t *testing.T) {
	var buf bytes.Buffer
	r := &IDRedactor{}
	log := slog.New(r.Handler(slog.NewTextHandler(&buf, nil)))
	log.Info("before the key", slog.Int64("chat_id", 555))
	r.Use(func(id int64) string { return fmt.Sprintf("p%d", id%7) })
	log.With(slog.Int64("user_id", 556)).Info("x", "chat_id", int64(-100123), slog.Group("g", slog.Int64("chat_id", 557)), slog.Int64("new_chat_id", -5))
	out := buf.String()
	for _, want := range []string{"resident=?", "resident=p3", "chat_id=-100123", "g.resident=p4", "new_chat_id=-5"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
	for _, raw := range []string{"555", "556", "557"} {
		if strings.Contains(out, raw) {
			t.Errorf("raw id %s logged: %s", raw, out)
		}
	}
}
