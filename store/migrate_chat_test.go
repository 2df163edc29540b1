package store

import (
	"context"
	"testing"
)

func TestMigrateChatKeepsRegistrationAndSubscriptions(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	const oldID, newID = int64(-1001), int64(-100200300)
	if _, err := db.RegisterGroup(ctx, Chat{ID: oldID, Kind: "group", Title: "三湾村村民群"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, oldID, "family"); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, oldID, newID); err != nil {
		t.Fatal(err)
	}
	groups, err := db.RegisteredGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0] != newID {
		t.Fatalf("registered groups after migration = %v, want [%d]", groups, newID)
	}
	subs, err := db.Subscriptions(ctx, newID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions of the new id = %v, %v", subs, err)
	}
	if old, _ := db.Subscriptions(ctx, oldID); len(old) != 0 {
		t.Errorf("old id still subscribed: %v", old)
	}
	// Unknown chats and repeated migrations are harmless.
	if err := db.MigrateChat(ctx, -5, -6); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, oldID, newID); err != nil {
		t.Fatal(err)
	}
}
