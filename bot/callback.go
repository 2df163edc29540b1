package bot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pufabot/pufabot/store"
)

// Callback data is what an inline button sends back when pressed. It must
// fit in 64 bytes, and anyone can forge it (a modified client sends what it
// likes), so it is compact, versioned and signed:
//
//	1 a : arg : arg . MAC
//
// "1" is the format version (buttons from an older format read as
// expired), a is the action, args are separated by ':' and the MAC (8
// characters of base64url) is a truncated HMAC-SHA256 over the chat id and
// everything before the '.', with a key kept in the database. A button
// pressed in another chat than it was sent to, or data that was altered,
// fails the check.

const (
	callbackVersion = '1'
	maxCallbackLen  = 64
	macLen          = 6 // bytes; 8 characters of base64url
)

// Callback actions.
const (
	actMenu         = 'M' // arg: menu item
	actTopics       = 'T' // list of topics
	actTopic        = 't' // arg: topic id
	actTopicArticle = 'r' // args: topic id, index in Topic.Articles
	actFullText     = 'a' // arg: knowledge.Hit.ID
	actMore         = 'm' // args: consultation id, offset
	actFeedback     = 'f' // args: consultation id, "+" or "-"
	actHuman        = 'h' // arg: consultation id
	actSubscribe    = 's' // arg: topic id or "*"
	actUnsubscribe  = 'u' // arg: topic id or "*"
	actForget       = 'F' // arg: "y" or "n"
	actBroadcast    = 'b' // args: draft id, "y" or "n"
	actSuggestion   = 'q' // arg: FAQ entry id
)

// Menu items (arguments of actMenu).
const (
	menuAsk       = "ask"
	menuTopics    = "topics"
	menuSubscribe = "sub"
	menuHuman     = "human"
	menuPrivacy   = "privacy"
)

// errStale is returned for callback data that is forged, altered, from an
// old format or otherwise unusable; the resident is told the button
// expired.
var errStale = errors.New("bot: stale or forged callback data")

// callback is decoded callback data.
type callback struct {
	action byte
	args   []string
}

func (c callback) arg(i int) string {
	if i < len(c.args) {
		return c.args[i]
	}
	return ""
}

func (c callback) int64Arg(i int) (int64, error) {
	n, err := strconv.ParseInt(c.arg(i), 10, 64)
	if err != nil || n < 0 {
		return 0, errStale
	}
	return n, nil
}

// callbackCodec signs and checks callback data.
type callbackCodec struct{ key []byte }

const settingCallbackKey = "telegram_callback_key"

// loadCallbackCodec reads the signing key from the database, creating it on
// first use.
//
// Unlike the pseudonym key, this key may live in the database: it signs
// button data, which is never stored, so with the database it links
// nothing to anyone. Whoever holds it, and so already holds everything
// the database says, can only forge presses in a chat of their own (the
// MAC covers the chat id, and Telegram tells who pressed). Keeping it
// there lets several replicas share it.
func loadCallbackCodec(ctx context.Context, db *store.DB) (callbackCodec, error) {
	v, err := db.Setting(ctx, settingCallbackKey)
	if errors.Is(err, store.ErrNotFound) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return callbackCodec{}, fmt.Errorf("bot: callback key: %w", err)
		}
		if err := db.SetSetting(ctx, settingCallbackKey, hex.EncodeToString(key)); err != nil {
			return callbackCodec{}, fmt.Errorf("bot: callback key: %w", err)
		}
		return callbackCodec{key: key}, nil
	}
	if err != nil {
		return callbackCodec{}, fmt.Errorf("bot: callback key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return callbackCodec{}, fmt.Errorf("bot: callback key in the database is malformed")
	}
	return callbackCodec{key: key}, nil
}

func (c callbackCodec) mac(chatID int64, payload string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(strconv.FormatInt(chatID, 10)))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:macLen])
}

// encode returns signed callback data for a button in chatID, and false
// when it would not fit in Telegram's 64 bytes (or an argument contains a
// separator), in which case the button must be left out.
func (c callbackCodec) encode(chatID int64, action byte, args ...string) (string, bool) {
	var b strings.Builder
	b.WriteByte(callbackVersion)
	b.WriteByte(action)
	for _, a := range args {
		if strings.ContainsAny(a, ":") {
			return "", false
		}
		b.WriteByte(':')
		b.WriteString(a)
	}
	payload := b.String()
	data := payload + "." + c.mac(chatID, payload)
	if len(data) > maxCallbackLen {
		return "", false
	}
	return data, true
}

// decode checks and parses callback data pressed in chatID.
func (c callbackCodec) decode(chatID int64, data string) (callback, error) {
	if len(data) < 3 || len(data) > maxCallbackLen || data[0] != callbackVersion {
		return callback{}, errStale
	}
	dot := strings.LastIndexByte(data, '.')
	if dot < 2 {
		return callback{}, errStale
	}
	payload, sig := data[:dot], data[dot+1:]
	if !hmac.Equal([]byte(sig), []byte(c.mac(chatID, payload))) {
		return callback{}, errStale
	}
	cb := callback{action: payload[1]}
	rest := payload[2:]
	if rest != "" {
		if rest[0] != ':' {
			return callback{}, errStale
		}
		cb.args = strings.Split(rest[1:], ":")
	}
	return cb, nil
}
