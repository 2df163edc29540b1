package bot

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// Log attributes that carry a Telegram id. A positive chat id is a private
// chat, whose id is the resident's user id; groups have negative ids.
const (
	attrChatID    = "chat_id"
	attrNewChatID = "new_chat_id"
	attrUserID    = "user_id"
	// attrResident replaces them: the resident's pseudonym, the same one
	// their consultations carry.
	attrResident = "resident"
	// attrStaffUserID is a staff member's id (from telegram.admins),
	// logged as is: staff act in their office role.
	attrStaffUserID = "staff_user_id"
)

// IDRedactor replaces residents' Telegram ids in log records with their
// pseudonyms: an attribute chat_id, new_chat_id or user_id holding a
// positive id becomes resident=<pseudonym>; group chat ids (negative) stay.
// Every part of the program that logs a chat or user id through a handler
// from Handler is covered, whoever wrote the line. Until Use is called
// (the key is not loaded yet) such ids are replaced by "?".
type IDRedactor struct {
	pseudonym atomic.Pointer[func(int64) string]
}

// Use sets the function that turns a Telegram user id into a pseudonym.
func (r *IDRedactor) Use(pseudonym func(id int64) string) { r.pseudonym.Store(&pseudonym) }

// Handler wraps h so that records reach it with ids replaced.
func (r *IDRedactor) Handler(h slog.Handler) slog.Handler {
	if ih, ok := h.(*idHandler); ok && ih.r == r {
		return h
	}
	return &idHandler{next: h, r: r}
}

func (r *IDRedactor) attr(a slog.Attr) slog.Attr {
	switch a.Key {
	case attrChatID, attrNewChatID, attrUserID:
	default:
		if v := a.Value.Resolve(); v.Kind() == slog.KindGroup {
			attrs := v.Group()
			out := make([]slog.Attr, len(attrs))
			for i, g := range attrs {
				out[i] = r.attr(g)
			}
			return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
		}
		return a
	}
	v := a.Value.Resolve()
	var id int64
	switch v.Kind() {
	case slog.KindInt64:
		id = v.Int64()
	case slog.KindUint64:
		id = int64(v.Uint64())
	default:
		return a
	}
	if id <= 0 {
		return a // a group or channel
	}
	p := "?"
	if f := r.pseudonym.Load(); f != nil {
		p = (*f)(id)
	}
	key := attrResident
	if a.Key == attrNewChatID {
		key = "new_" + attrResident
	}
	return slog.String(key, p)
}

// groupAttr is the chat_id attribute of a group chat, and nothing for a
// private chat, whose id is the user's (logged once, as a pseudonym).
func groupAttr(chatID int64) slog.Attr {
	if chatID > 0 {
		return slog.Attr{}
	}
	return slog.Int64(attrChatID, chatID)
}

type idHandler struct {
	next slog.Handler
	r    *IDRedactor
}

func (h *idHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *idHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, rec.Message, rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *idHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.r.attr(a)
	}
	return &idHandler{next: h.next.WithAttrs(out), r: h.r}
}

func (h *idHandler) WithGroup(name string) slog.Handler {
	return &idHandler{next: h.next.WithGroup(name), r: h.r}
}
