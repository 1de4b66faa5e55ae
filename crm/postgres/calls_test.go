package postgres_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
	"hotline/telephony/ari/aritest/transcripts"
)

// sliceJournal keeps journaled updates in memory for the test.
type sliceJournal struct {
	mu   sync.Mutex
	recs [][]byte
}

func (j *sliceJournal) Append(r ...[]byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recs = append(j.recs, r...)
	return nil
}
func (j *sliceJournal) Next(int) ([][]byte, uint64, error) { return nil, 0, nil }
func (j *sliceJournal) Commit(uint64) error                { return nil }

func sharedTranscript(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(transcripts.Dir(tb), name)
}

type roster map[string]string

func (r roster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

// trackerUpdates runs a transcript through a tracker and returns every
// update it journaled, in order, decoded.
func trackerUpdates(tb testing.TB, name string) []telephony.CallUpdate {
	tb.Helper()
	var ups []telephony.CallUpdate
	for _, r := range trackerRecords(tb, name, func(b []byte) []byte { return b }) {
		var u telephony.CallUpdate
		if err := json.Unmarshal(r, &u); err != nil {
			tb.Fatal(err)
		}
		ups = append(ups, u)
	}
	return ups
}

func TestSaveCallsIdempotentWithClientTimeline(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := s.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	ups := trackerUpdates(t, "with-linkedid/sip-attended-transfer.jsonl")
	if len(ups) < 10 {
		t.Fatalf("only %d updates", len(ups))
	}
	// every update on its own, then the whole stream again in one batch,
	// then the oldest half once more: nothing may change after the first pass
	for _, u := range ups {
		if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, u)); err != nil {
			t.Fatal(err)
		}
	}
	first, firstTL := callLog(t, s), callTimelines(t, s)
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, ups...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, ups[:len(ups)/2]...)); err != nil {
		t.Fatal(err)
	}
	again := callLog(t, s)
	if first != again {
		t.Errorf("replay changed the call log:\n%s\n%s", first, again)
	}
	if againTL := callTimelines(t, s); againTL != firstTL {
		t.Errorf("replay changed the timelines:\n%s\n%s", firstTL, againTL)
	}
	var n, events, merged int
	var clientID *int64
	var talk, hold float64
	var outcome, agent string
	err := s.DB.Pool().QueryRow(ctx, `SELECT count(*), min(client_id), min(talk_seconds), min(hold_seconds), min(outcome), min(agent) FROM call_log`).
		Scan(&n, &clientID, &talk, &hold, &outcome, &agent)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || clientID == nil || *clientID != cl.ID || outcome != "answered" || agent != "bob" || talk < 5.4 || hold < 2.9 {
		t.Errorf("call_log: n=%d client=%v outcome=%s agent=%s talk=%v hold=%v", n, clientID, outcome, agent, talk, hold)
	}
	if err := s.DB.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM call_events), (SELECT count(*) FROM calls WHERE merged_into IS NOT NULL)`).Scan(&events, &merged); err != nil {
		t.Fatal(err)
	}
	if events < 20 || merged != 1 {
		t.Errorf("%d timeline events, %d merged consultation calls (want 1)", events, merged)
	}
	page, err := s.Clients.Timeline(ctx, cl.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Kind != crm.InteractionCall || page.Items[0].RefType != "call" {
		t.Fatalf("client timeline: %+v", page.Items)
	}
	var legs int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM call_legs WHERE talked`).Scan(&legs); err != nil {
		t.Fatal(err)
	}
	if legs != 4 {
		t.Errorf("%d legs talked, want 4 (customer, both 1001 legs, 1002)", legs)
	}
}

// TestSaveCallsOverlappingReplayTimeline replays a batch that starts
// inside what is already stored (a journal replayed after a crash between
// the database commit and the journal commit, with more records behind):
// every timeline entry is stored once, in order.
func TestSaveCallsOverlappingReplayTimeline(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	ups := trackerUpdates(t, "with-linkedid/sip-attended-transfer.jsonl")
	want := map[string]int{} // linkedid -> timeline entries
	for _, u := range ups {
		want[u.Call.LinkedID] += len(u.Timeline)
	}
	half := len(ups) / 2
	for _, u := range ups[:half] {
		if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, u)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, ups[half/2:]...)); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB.Pool().Query(ctx, `SELECT linkedid, count(*), count(DISTINCT seq), min(seq), max(seq)
FROM call_events GROUP BY linkedid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var id string
		var n, distinct, lo, hi int
		if err := rows.Scan(&id, &n, &distinct, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		got++
		if n != want[id] || distinct != n || lo != 1 || hi != n {
			t.Errorf("call %s: %d timeline entries (%d distinct, seq %d..%d), want %d", id, n, distinct, lo, hi, want[id])
		}
	}
	if got != len(want) {
		t.Errorf("%d calls with timelines, want %d", got, len(want))
	}
}

// callTimelines is every stored timeline entry, in order.
func callTimelines(t *testing.T, s *postgres.Services) string {
	t.Helper()
	var out string
	err := s.DB.Pool().QueryRow(context.Background(),
		`SELECT coalesce(json_agg(e ORDER BY node, linkedid, seq)::text, '') FROM call_events e`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func callLog(t *testing.T, s *postgres.Services) string {
	t.Helper()
	var out string
	err := s.DB.Pool().QueryRow(context.Background(),
		`SELECT coalesce(json_agg(c ORDER BY id)::text, '') FROM (SELECT * FROM call_log) c`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenCallsResumesInProgress(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	ups := trackerUpdates(t, "with-linkedid/sip-hold.jsonl")
	// stop in mid-call: every update before the one that ends the call
	var mid []telephony.CallUpdate
	for _, u := range ups {
		if u.Call.EndedAt == nil {
			mid = append(mid, u)
		}
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, mid...)); err != nil {
		t.Fatal(err)
	}
	open, err := s.Calls.OpenCalls(ctx, "pbx1")
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || len(open[0].Call.Legs) != 2 || len(open[0].State) == 0 || open[0].Call.StartedAt.IsZero() {
		t.Fatalf("open calls: %+v", open)
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, ups...)); err != nil {
		t.Fatal(err)
	}
	if open, err = s.Calls.OpenCalls(ctx, "pbx1"); err != nil || len(open) != 0 {
		t.Fatalf("after the end: %d open, %v", len(open), err)
	}
}

func TestListAndGetCalls(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := s.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"with-linkedid/sip-attended-transfer.jsonl", "with-linkedid/sip-hold.jsonl",
		"with-linkedid/sip-outbound.jsonl", "with-linkedid/sip-inbound-noanswer.jsonl"} {
		if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, trackerUpdates(t, name)...)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Calls.ListCalls(ctx, telephony.CallFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 4 || all.Next != "" {
		t.Fatalf("%d calls (next %q), want 4 on one page", len(all.Items), all.Next)
	}
	for i := 1; i < len(all.Items); i++ {
		if all.Items[i].StartedAt.After(all.Items[i-1].StartedAt) {
			t.Error("calls not newest first")
		}
	}
	tests := []struct {
		name string
		f    telephony.CallFilter
		want int
	}{
		{"agent who talked after a transfer", telephony.CallFilter{Agent: "bob"}, 1},
		{"agent who rang or talked", telephony.CallFilter{Agent: "alice"}, 4},
		{"client", telephony.CallFilter{ClientID: cl.ID}, 3},
		{"number", telephony.CallFilter{Number: "+74957654321"}, 1},
		{"direction", telephony.CallFilter{Direction: telephony.Outbound}, 1},
		{"outcome", telephony.CallFilter{Outcome: telephony.OutcomeAbandoned}, 1},
		{"time range excludes all", telephony.CallFilter{To: all.Items[3].StartedAt}, 0},
	}
	for _, tt := range tests {
		page, err := s.Calls.ListCalls(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(page.Items) != tt.want {
			t.Errorf("%s: %d calls, want %d", tt.name, len(page.Items), tt.want)
		}
	}
	// cursor pagination walks the same calls in the same order
	var walked []int64
	for after := ""; ; {
		page, err := s.Calls.ListCalls(ctx, telephony.CallFilter{After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Items {
			walked = append(walked, c.ID)
		}
		if after = page.Next; after == "" {
			break
		}
	}
	if len(walked) != 4 || walked[0] != all.Items[0].ID || walked[3] != all.Items[3].ID {
		t.Errorf("pages walked %v, want the ids of %v", walked, all.Items)
	}
	if _, err := s.Calls.ListCalls(ctx, telephony.CallFilter{After: "garbage!"}); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("bad cursor: %v, want invalid", err)
	}
	call, tl, err := s.Calls.GetCall(ctx, walked[0])
	if err != nil {
		t.Fatal(err)
	}
	if call.ID != walked[0] || len(call.Legs) == 0 || len(tl) < 5 || tl[0].Seq != 1 {
		t.Errorf("GetCall: id %d, %d legs, %d timeline entries", call.ID, len(call.Legs), len(tl))
	}
	if _, _, err := s.Calls.GetCall(ctx, 999999); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("unknown call: %v, want not found", err)
	}
}

// After a fail-over two replicas may write one call: the survivor, and the
// killed replica's spool replayed when it restarts. Their versions count
// different histories, so an ended call is never reopened by an open
// update of a higher version, and an update that ends an open call applies
// whatever its version.
func TestSaveCallsEndedIsNeverReopened(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	ups := trackerUpdates(t, "with-linkedid/sip-hold.jsonl")
	var open, end telephony.CallUpdate
	for _, u := range ups {
		if u.Call.EndedAt == nil {
			open = u
		} else {
			end = u
		}
	}
	if end.Call.EndedAt == nil || open.Version == 0 {
		t.Fatal("transcript has no open and ended updates")
	}
	stale := open
	stale.Version = end.Version + 100 // the killed replica's, counted further
	stale.Timeline = nil
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, end)); err != nil {
		t.Fatal(err)
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, stale)); err != nil {
		t.Fatal(err)
	}
	if o, err := s.Calls.OpenCalls(ctx, "pbx1"); err != nil || len(o) != 0 {
		t.Fatalf("an ended call reopened by a replayed update: %d open, %v", len(o), err)
	}

	s = pgtest.NewStore(t)
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, stale)); err != nil {
		t.Fatal(err)
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, end)); err != nil {
		t.Fatal(err)
	}
	if o, err := s.Calls.OpenCalls(ctx, "pbx1"); err != nil || len(o) != 0 {
		t.Fatalf("the end of a call written over a higher open version was dropped: %d open, %v", len(o), err)
	}
}
