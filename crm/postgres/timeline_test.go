package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

func TestTimeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s := pgtest.NewStoreWith(t, postgres.Options{Now: func() time.Time { return now }})
	agent := mustUser(t, s, "agent1", crm.RoleAgent)
	c := mustClient(t, s, crm.Client{Name: "Ivan Petrov"})
	other := mustClient(t, s, crm.Client{Name: "Other"})

	// 25 entries, several sharing a timestamp, added out of order.
	base := now.Add(-48 * time.Hour)
	for i := range 25 {
		at := base.Add(time.Duration((i*7)%13) * time.Hour)
		in := crm.Interaction{ClientID: c.ID, Kind: crm.InteractionCall, At: at, UserID: &agent.ID,
			Summary: fmt.Sprintf("call %d", i), RefType: "call", RefID: fmt.Sprintf("1764212972.%d", i)}
		if err := s.Clients.AddInteraction(ctx, &in); err != nil {
			t.Fatal(err)
		}
	}
	mustInteraction(t, s, crm.Interaction{ClientID: other.ID, Kind: crm.InteractionNote, Summary: "not Ivan's"})
	note := mustInteraction(t, s, crm.Interaction{ClientID: c.ID, Kind: crm.InteractionNote, Summary: "called back"})
	if !note.At.Equal(now) || note.ID == 0 || !note.CreatedAt.Equal(now) {
		t.Fatalf("note with zero At = %+v", note)
	}

	var all []crm.Interaction
	after := ""
	for {
		page, err := s.Clients.Timeline(ctx, c.ID, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			break
		}
		after = page.Next
		// A newer entry arriving mid-walk does not shift later pages.
		mustInteraction(t, s, crm.Interaction{ClientID: c.ID, Kind: crm.InteractionNote, At: now.Add(time.Minute), Summary: "late"})
	}
	if len(all) != 26 {
		t.Fatalf("walked %d entries, want 26", len(all))
	}
	if all[0].Summary != "called back" {
		t.Fatalf("newest first: got %q", all[0].Summary)
	}
	seen := map[int64]bool{}
	for i, in := range all {
		if seen[in.ID] || in.ClientID != c.ID {
			t.Fatalf("entry %+v repeated or foreign", in)
		}
		seen[in.ID] = true
		if i > 0 {
			prev := all[i-1]
			if in.At.After(prev.At) || (in.At.Equal(prev.At) && in.ID > prev.ID) {
				t.Fatalf("entries %d and %d out of order: %v/%d then %v/%d", i-1, i, prev.At, prev.ID, in.At, in.ID)
			}
		}
	}
	if all[1].UserID == nil || *all[1].UserID != agent.ID || all[1].Kind != crm.InteractionCall {
		t.Fatalf("call entry = %+v", all[1])
	}

	// The same call twice on one timeline is a conflict; on another client it is fine.
	dup := crm.Interaction{ClientID: c.ID, Kind: crm.InteractionCall, RefType: "call", RefID: "1764212972.3"}
	wantKind(t, s.Clients.AddInteraction(ctx, &dup), crm.KindConflict, "ref_id")
	dup.ClientID = other.ID
	if err := s.Clients.AddInteraction(ctx, &dup); err != nil {
		t.Fatalf("same call on another client: %v", err)
	}
	wantKind(t, s.Clients.AddInteraction(ctx, &crm.Interaction{ClientID: 999999, Kind: crm.InteractionNote}), crm.KindNotFound, "")
	wantKind(t, s.Clients.AddInteraction(ctx, &crm.Interaction{ClientID: c.ID, Kind: "Bad Kind"}), crm.KindInvalid, "kind")
	_, err := s.Clients.Timeline(ctx, 999999, "", 10)
	wantKind(t, err, crm.KindNotFound, "")
	_, err = s.Clients.Timeline(ctx, c.ID, "garbage", 10)
	wantKind(t, err, crm.KindInvalid, "after")
	if empty, err := s.Clients.Timeline(ctx, mustClient(t, s, crm.Client{Name: "New"}).ID, "", 10); err != nil || len(empty.Items) != 0 {
		t.Fatalf("empty timeline = %+v, %v", empty, err)
	}
}

func mustInteraction(t *testing.T, s *postgres.Services, i crm.Interaction) crm.Interaction {
	t.Helper()
	if err := s.Clients.AddInteraction(context.Background(), &i); err != nil {
		t.Fatal(err)
	}
	return i
}
