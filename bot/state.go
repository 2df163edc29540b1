package bot

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// stateTTL is how long the bot waits for the next step of a conversation
// (the text of a hand-over, the text of a broadcast, a confirmation).
const stateTTL = 30 * time.Minute

// conversations holds the few multi-step exchanges the bot has, in memory:
// after a restart the resident or staff member simply starts again.
type conversations struct {
	mu        sync.Mutex
	human     map[int64]time.Time    // private chat → waiting for hand-over text until
	composing map[[2]int64]time.Time // (chat, staff user) → waiting for broadcast text until
	drafts    map[string]draft       // draft id → broadcast waiting for confirmation
}

// draft is a broadcast composed by staff, waiting for confirmation.
type draft struct {
	html    string
	chatID  int64
	userID  int64
	expires time.Time
}

func newConversations() *conversations {
	return &conversations{human: map[int64]time.Time{}, composing: map[[2]int64]time.Time{}, drafts: map[string]draft{}}
}

func (c *conversations) awaitHuman(chatID int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.human[chatID] = now.Add(stateTTL)
}

// takeHuman reports (and forgets) whether the chat's next message is the
// text of a hand-over.
func (c *conversations) takeHuman(chatID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.human[chatID]
	delete(c.human, chatID)
	return ok && now.Before(until)
}

func (c *conversations) startComposing(chatID, userID int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.composing[[2]int64{chatID, userID}] = now.Add(stateTTL)
}

// takeComposing reports (and forgets) whether the user's next message in
// the chat is the text of a broadcast.
func (c *conversations) takeComposing(chatID, userID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]int64{chatID, userID}
	until, ok := c.composing[k]
	delete(c.composing, k)
	return ok && now.Before(until)
}

// cancel forgets whatever the chat (and user) was in the middle of, and
// reports whether there was something.
func (c *conversations) cancel(chatID, userID int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, h := c.human[chatID]
	_, b := c.composing[[2]int64{chatID, userID}]
	delete(c.human, chatID)
	delete(c.composing, [2]int64{chatID, userID})
	return h || b
}

// addDraft stores a broadcast draft and returns its id.
func (c *conversations) addDraft(d draft, now time.Time) string {
	var raw [6]byte
	_, _ = rand.Read(raw[:]) // never fails (crypto/rand panics instead)
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	d.expires = now.Add(stateTTL)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drafts[id] = d
	return id
}

// takeDraft removes and returns a draft, so a double tap on 确认 sends once.
func (c *conversations) takeDraft(id string, now time.Time) (draft, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.drafts[id]
	delete(c.drafts, id)
	return d, ok && now.Before(d.expires)
}

// prune drops expired state.
func (c *conversations) prune(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, t := range c.human {
		if !now.Before(t) {
			delete(c.human, k)
		}
	}
	for k, t := range c.composing {
		if !now.Before(t) {
			delete(c.composing, k)
		}
	}
	for k, d := range c.drafts {
		if !now.Before(d.expires) {
			delete(c.drafts, k)
		}
	}
}
