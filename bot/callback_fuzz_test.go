package bot

import (
	"testing"
)

// fuzzKey signs the seed corpus in testdata/fuzz/FuzzCallbackData; the
// fuzzer mutates data it cannot re-sign.
var fuzzKey = []byte("pufabot fuzz key, 32 bytes long!")

// FuzzCallbackData feeds arbitrary callback data, pressed in an arbitrary
// chat, to the decoder. It must never panic, and it must accept only data
// the codec itself signed for that chat: whatever it accepts encodes back
// to exactly the same bytes, and is refused in any other chat.
func FuzzCallbackData(f *testing.F) {
	c := callbackCodec{key: fuzzKey}
	for _, s := range []struct {
		chat   int64
		action byte
		args   []string
	}{
		{42, actMenu, []string{menuAsk}},
		{42, actTopics, nil},
		{-1001234567890, actFullText, []string{"a1b2c3d4-1079.2"}},
		{7, actMore, []string{"123", "3"}},
		{7, actFeedback, []string{"99", "+"}},
		{7, actBroadcast, []string{"5", "y"}},
		{7, actSubscribe, []string{""}},
	} {
		data, ok := c.encode(s.chat, s.action, s.args...)
		if !ok {
			f.Fatalf("seed %c %v does not encode", s.action, s.args)
		}
		f.Add(s.chat, data)
	}
	f.Fuzz(func(t *testing.T, chat int64, data string) {
		cb, err := c.decode(chat, data)
		if err != nil {
			if err != errStale {
				t.Fatalf("decode(%d, %q) = %v, want errStale", chat, data, err)
			}
			return
		}
		again, ok := c.encode(chat, cb.action, cb.args...)
		if !ok || again != data {
			t.Fatalf("decode(%d, %q) accepted data the codec does not produce (re-encodes as %q, %v)", chat, data, again, ok)
		}
		if _, err := c.decode(chat^1, data); err == nil {
			t.Fatalf("data %q signed for chat %d is accepted in chat %d", data, chat, chat^1)
		}
		for i := range len(cb.args) + 1 {
			_ = cb.arg(i)
			_, _ = cb.int64Arg(i)
		}
	})
}
