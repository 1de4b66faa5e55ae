package postgres_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
)

// trackerRecords runs a transcript, each frame passed through patch, through
// a tracker and returns the records it journaled, as they are.
func trackerRecords(tb testing.TB, name string, patch func([]byte) []byte) [][]byte {
	tb.Helper()
	f, err := os.Open(sharedTranscript(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	j := &sliceJournal{}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Journal: j,
		Roster:  roster{"PJSIP/1001": "alice", "PJSIP/1002": "bob"},
		Rules:   telephony.DirectionRules{InboundContexts: []string{"from-trunk"}},
	})
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		tr.HandleFrame("pbx1", "", patch(bytes.Clone(sc.Bytes())))
	}
	if len(j.recs) == 0 {
		tb.Fatalf("%s: nothing journaled", name)
	}
	return j.recs
}

// storedCalls is every stored call without its store-made id, and every
// timeline entry, in a fixed order: two stores given the same updates
// compare equal.
func storedCalls(t *testing.T, s *postgres.Services) string {
	t.Helper()
	var out string
	err := s.DB.Pool().QueryRow(context.Background(), `
SELECT coalesce((SELECT json_agg(c ORDER BY c.node, c.linkedid)::text
    FROM (SELECT node, linkedid, version, direction, outcome, caller, caller_name, callee, customer,
        client_id, agent, agents, started_at, answered_at, ended_at, wait_seconds, ring_seconds,
        talk_seconds, hold_seconds, hangup_cause, hangup_cause_text, hangup_by, transfers,
        closed_by_reconciliation, gaps, merged_into, legs, state::jsonb, timeline FROM calls) c), '')
    || coalesce((SELECT json_agg(i ORDER BY i.at, i.summary)::text
    FROM (SELECT client_id, kind, at, summary, body, ref_type FROM interactions) i), '')`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Several updates of one call in one batch: the call is written as its
// newest update (by version, wherever it stands in the batch) with the
// timeline entries of them all, once each, as if the updates had been
// saved one by one; an older update in a later batch replaces nothing.
func TestSaveCallsSeveralUpdatesOfACallInOneBatch(t *testing.T) {
	ctx := context.Background()
	newClient := func(s *postgres.Services) {
		cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov",
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
		if err := s.Clients.CreateClient(ctx, &cl); err != nil {
			t.Fatal(err)
		}
	}
	recs := trackerRecords(t, "with-linkedid/sip-attended-transfer.jsonl", func(b []byte) []byte { return b })
	if len(recs) < 10 {
		t.Fatalf("only %d records", len(recs))
	}
	one := pgtest.NewStore(t)
	newClient(one)
	for _, r := range recs {
		if err := one.Calls.SaveCalls(ctx, [][]byte{r}); err != nil {
			t.Fatal(err)
		}
	}
	want := storedCalls(t, one)

	tests := []struct {
		name  string
		batch [][]byte
	}{
		{"in order", recs},
		// the newest update first, every one of the rest repeated after it
		{"newest first, then the older ones", append([][]byte{recs[len(recs)-1]}, recs...)},
		{"an update repeated in the batch", append(append([][]byte{}, recs[:len(recs)/2]...), recs[len(recs)/3:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pgtest.NewStore(t)
			newClient(s)
			if err := s.Calls.SaveCalls(ctx, tt.batch); err != nil {
				t.Fatal(err)
			}
			if tt.name == "an update repeated in the batch" {
				// the rest of the journal, then everything again
				if err := s.Calls.SaveCalls(ctx, recs[len(recs)/2:]); err != nil {
					t.Fatal(err)
				}
			}
			if got := storedCalls(t, s); got != want {
				t.Errorf("stored\n%s\nwant (updates saved one by one)\n%s", got, want)
			}
			// older updates in later batches, alone and together, replace nothing
			for _, older := range [][][]byte{recs[:1], recs[:len(recs)-1], recs[len(recs)/2 : len(recs)/2+1]} {
				if err := s.Calls.SaveCalls(ctx, older); err != nil {
					t.Fatal(err)
				}
			}
			if got := storedCalls(t, s); got != want {
				t.Errorf("older updates changed the calls:\n%s\nwant\n%s", got, want)
			}
		})
	}
	var versions, entries int
	if err := one.DB.Pool().QueryRow(ctx, `SELECT max(version), (SELECT count(*) FROM call_events) FROM calls`).Scan(&versions, &entries); err != nil {
		t.Fatal(err)
	}
	if versions < 10 || entries < 20 {
		t.Errorf("the stored calls are too small to show anything: version %d, %d timeline entries", versions, entries)
	}
}

// Replaying a batch changes nothing: not the calls, their timelines, the
// clients' timelines nor the rows' write times (no row is rewritten).
func TestSaveCallsReplayedBatchChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := s.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	var batch [][]byte
	for _, name := range []string{"with-linkedid/sip-attended-transfer.jsonl", "with-linkedid/sip-hold.jsonl",
		"with-linkedid/sip-inbound-noanswer.jsonl"} {
		batch = append(batch, trackerRecords(t, name, func(b []byte) []byte { return b })...)
	}
	if err := s.Calls.SaveCalls(ctx, batch); err != nil {
		t.Fatal(err)
	}
	writes := func() string {
		var out string
		if err := s.DB.Pool().QueryRow(ctx, `SELECT string_agg(linkedid || ' ' || updated_at::text || ' ' || xmin::text, ',' ORDER BY linkedid) FROM calls`).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first, firstWrites := storedCalls(t, s), writes()
	for range 2 {
		if err := s.Calls.SaveCalls(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if again := storedCalls(t, s); again != first {
		t.Errorf("the replay changed the calls:\n%s\nwant\n%s", again, first)
	}
	if again := writes(); again != firstWrites {
		t.Errorf("the replay rewrote rows: %s, want %s", again, firstWrites)
	}
	var calls, onTimeline int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM calls WHERE merged_into IS NULL),
    (SELECT count(*) FROM interactions WHERE client_id = $1 AND ref_type = 'call')`, cl.ID).Scan(&calls, &onTimeline); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || onTimeline != 3 {
		t.Errorf("%d calls, %d on the client's timeline; want 3, each once", calls, onTimeline)
	}
}

// A caller name that is not UTF-8 never makes a write fail: the journal
// holds it with U+FFFD for each invalid byte, which PostgreSQL stores.
func TestSaveCallsInvalidUTF8CallerName(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	recs := trackerRecords(t, "with-linkedid/sip-hold.jsonl", func(b []byte) []byte {
		return bytes.ReplaceAll(b, []byte(`"name":"Ivan Petrov"`), []byte("\"name\":\"Iv\xffan \xc3Petrov\xe2\x82\""))
	})
	for _, r := range recs {
		if !utf8.Valid(r) {
			t.Fatalf("the journal holds invalid UTF-8: %q", r)
		}
	}
	if err := s.Calls.SaveCalls(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var name, legs string
	if err := s.DB.Pool().QueryRow(ctx, `SELECT caller_name, legs::text FROM calls`).Scan(&name, &legs); err != nil {
		t.Fatal(err)
	}
	if name != "Iv\uFFFDan \uFFFDPetrov\uFFFD\uFFFD" { // each invalid byte replaced
		t.Errorf("caller name stored as %q", name)
	}
	// the same through the encoder the tests use for hand-made updates
	c := telephony.Call{LinkedID: "1795000000.9", Node: "pbx1", Direction: telephony.Inbound, Caller: "+74951234567",
		CallerName: "\xff\xfe", Callee: "1001", StartedAt: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, telephony.CallUpdate{Version: 1, Call: c})); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.Pool().QueryRow(ctx, `SELECT caller_name FROM calls WHERE linkedid = $1`, c.LinkedID).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if strings.Trim(name, "\uFFFD") != "" || name == "" {
		t.Errorf("caller name stored as %q", name)
	}
}

// A NUL in a caller name (which PostgreSQL keeps in no text) never stops
// the call log: the tracker takes it as U+FFFD.
func TestSaveCallsNULInCallerName(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	recs := trackerRecords(t, "with-linkedid/sip-hold.jsonl", func(b []byte) []byte {
		return bytes.ReplaceAll(b, []byte(`"name":"Ivan Petrov"`), []byte(`"name":"Ivan\u0000Petrov"`))
	})
	if err := s.Calls.SaveCalls(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := s.DB.Pool().QueryRow(ctx, `SELECT caller_name FROM calls`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "Ivan\uFFFDPetrov" {
		t.Errorf("caller name stored as %q", name)
	}
}

// A call whose key another writer of the same call (after a fail-over)
// commits while the batch waits for it is written all the same, under
// that writer's started_at.
func TestSaveCallsKeyCommittedConcurrently(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	recs := trackerRecords(t, "with-linkedid/sip-hold.jsonl", func(b []byte) []byte { return b })
	ups := make([]telephony.CallUpdate, 0, len(recs))
	for _, r := range recs {
		var u telephony.CallUpdate
		if err := json.Unmarshal(r, &u); err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	last := ups[len(ups)-1].Call
	started := last.StartedAt.Add(-time.Second) // the other writer's
	tx, err := s.DB.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO call_keys (node, linkedid, started_at) VALUES ($1, $2, $3)`,
		last.Node, last.LinkedID, started); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Calls.SaveCalls(ctx, recs) }()
	// the batch waits for the other writer's key
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting == 0; {
		if time.Now().After(deadline) {
			var act string
			_ = s.DB.Pool().QueryRow(ctx, `SELECT string_agg(coalesce(wait_event_type, '-') || ' ' || coalesce(wait_event, '-') || ' ' || state || ' ' || left(query, 40), E'\n') FROM pg_stat_activity WHERE datname = current_database()`).Scan(&act)
			t.Fatal("the batch never waited for the key:\n" + act)
		}
		if err := s.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var at time.Time
	var version int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT started_at, version FROM calls WHERE linkedid = $1`, last.LinkedID).Scan(&at, &version); err != nil {
		t.Fatalf("the call was not written: %v", err)
	}
	if !at.Equal(started) || version != ups[len(ups)-1].Version {
		t.Errorf("call written at %v version %d, want %v version %d", at, version, started, ups[len(ups)-1].Version)
	}
}

// The calls a tracker hands to EndedSaved, after writing the journal's
// records to PostgreSQL undecoded, are the ended calls as stored: each
// once, never a merged consultation call.
func TestEndedSavedCallsAreTheStoredCalls(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	got := map[string]telephony.Call{}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Store:  s.Calls,
		Roster: roster{"PJSIP/1001": "alice", "PJSIP/1002": "bob"},
		Rules:  telephony.DirectionRules{InboundContexts: []string{"from-trunk"}},
		EndedSaved: func(_ context.Context, ended []telephony.Call) {
			for _, c := range ended {
				if _, twice := got[c.LinkedID]; twice {
					t.Errorf("call %s handed on twice", c.LinkedID)
				}
				got[c.LinkedID] = c
			}
		},
	})
	names := []string{"with-linkedid/sip-attended-transfer.jsonl", "with-linkedid/sip-blind-transfer.jsonl",
		"with-linkedid/sip-hold.jsonl", "with-linkedid/sip-inbound-noanswer.jsonl", "with-linkedid/sip-outbound.jsonl"}
	for _, name := range names {
		f, err := os.Open(sharedTranscript(t, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for i := 0; sc.Scan(); i++ {
			tr.HandleFrame("pbx1", "", sc.Bytes())
			if i%5 == 4 { // batches that end some calls while others go on
				if err := tr.Drain(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.Close()
	}
	if err := tr.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.Calls.ListCalls(ctx, telephony.CallFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != len(names) || len(got) != len(names) {
		t.Fatalf("%d calls stored, %d handed on; want %d", len(page.Items), len(got), len(names))
	}
	for _, stored := range page.Items {
		c, _, err := s.Calls.GetCall(ctx, stored.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.ID, c.ClientID = 0, nil // the store's own
		want, _ := json.Marshal(c)
		have, _ := json.Marshal(got[c.LinkedID])
		if !bytes.Equal(have, want) {
			t.Errorf("call %s handed on as\n%s\nstored as\n%s", c.LinkedID, have, want)
		}
	}
}
