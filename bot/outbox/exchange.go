package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"

	"github.com/go-telegram/bot"
)

// exchange records what became of the HTTP request of one attempt, so the
// queue can tell a request Telegram never saw (safe to send again) from one
// it may have acted on (never sent again), whatever error go-telegram/bot
// made of the answer. It is filled in by the client HTTPClient returns.
type exchange struct {
	mu        sync.Mutex
	requests  int  // requests made through the client during the attempt
	wrote     bool // the last request was written in full
	answered  bool // a response arrived (status line and headers)
	status    int  // its HTTP status
	readable  bool // its body was read in full and is a Bot API answer
	ok        bool // the answer says "ok": true: Telegram acted on it
	errorCode int  // the answer's error_code when not ok
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// maxAnswer bounds the answer read to classify it; Bot API answers to
// sends are a few kilobytes.
const maxAnswer = 16 << 20

// HTTPClient wraps c for go-telegram/bot (bot.WithHTTPClient) so that a
// Queue knows what became of each request it makes: whether it was
// written in full, and whether Telegram answered "ok". Without it the
// queue has only the library's error to go on. Every bot client whose
// requests go through a Queue should use it; requests made outside a
// Queue pass through unchanged.
func HTTPClient(c *http.Client) bot.HttpClient {
	if c == nil {
		c = http.DefaultClient
	}
	return recordingClient{c}
}

type recordingClient struct{ c *http.Client }

func (rc recordingClient) Do(req *http.Request) (*http.Response, error) {
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		return rc.c.Do(req)
	}
	x.mu.Lock()
	x.requests++
	x.wrote, x.answered, x.status, x.readable, x.ok, x.errorCode = false, false, 0, false, false, 0
	x.mu.Unlock()
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		x.mu.Lock()
		x.wrote = info.Err == nil
		x.mu.Unlock()
	}}
	resp, err := rc.c.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil {
		return nil, err
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	var answer struct {
		OK        bool `json:"ok"`
		ErrorCode int  `json:"error_code"`
	}
	x.mu.Lock()
	// A response means the request was written, whatever the trace saw.
	x.wrote, x.answered, x.status = true, true, resp.StatusCode
	if readErr == nil && json.Unmarshal(body, &answer) == nil {
		x.readable, x.ok, x.errorCode = true, answer.OK, answer.ErrorCode
	}
	x.mu.Unlock()
	// The library reads the same answer (and the same read error).
	var rest io.Reader = bytes.NewReader(body)
	if readErr != nil {
		rest = io.MultiReader(rest, errReader{readErr})
	}
	resp.Body = io.NopCloser(rest)
	return resp, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// verdict is what the exchange says of a failed attempt.
type verdict int

const (
	verdictUnknown   verdict = iota // no request went through the client
	verdictDone                     // Telegram answered ok: the send happened
	verdictNotSent                  // provably never reached Telegram: send again
	verdictRetry                    // Telegram answered 429 or 5xx: send again
	verdictUncertain                // may have reached Telegram: never send again
	verdictRefused                  // a 4xx answer the library could not read
)

func (x *exchange) verdict() verdict {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case x.requests == 0:
		return verdictUnknown
	case x.answered && x.readable && x.ok:
		return verdictDone
	case !x.answered && !x.wrote:
		return verdictNotSent
	case !x.answered:
		// Written, then no answer (a timeout, a reset): Telegram may
		// have sent the message.
		return verdictUncertain
	case x.status == http.StatusTooManyRequests || x.status >= 500 || x.errorCode == http.StatusTooManyRequests || x.errorCode >= 500:
		return verdictRetry
	case x.status >= 400:
		return verdictRefused
	}
	// A 2xx or 3xx whose body is not a Bot API answer.
	return verdictUncertain
}
