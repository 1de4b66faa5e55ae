package postgres_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"time"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
)

// callPartition returns the partition holding the call's row and how many
// rows the call has.
func callPartition(t *testing.T, s *postgres.Services, linkedid string) (string, int) {
	t.Helper()
	var part string
	var n int
	err := s.DB.Pool().QueryRow(context.Background(), `SELECT coalesce(min(tableoid::regclass::text), ''), count(*)
		FROM calls WHERE node = 'pbx1' AND linkedid = $1`, linkedid).Scan(&part, &n)
	if err != nil {
		t.Fatal(err)
	}
	return part, n
}

func saveCall(t *testing.T, s *postgres.Services, linkedid string, version int, started time.Time, outcome telephony.Outcome) {
	t.Helper()
	c := telephony.Call{Node: "pbx1", LinkedID: linkedid, Direction: telephony.Inbound, Outcome: outcome,
		Caller: "+74951234567", Callee: "7001", StartedAt: started}
	if outcome != "" {
		end := started.Add(time.Minute)
		c.EndedAt = &end
	}
	if err := s.Calls.SaveCalls(context.Background(), pgtest.CallRecords(t, []telephony.CallUpdate{{Call: c, Version: version}}...)); err != nil {
		t.Fatal(err)
	}
}

// The call log is partitioned by month: the current month and the next
// three have partitions; a call of a month without one still lands (in the
// default partition) and keeps its row when a later update says it started
// in another month; the maintenance run moves it to a partition of its own
// month, where later updates still find it.
func TestCallsPartitionedByMonth(t *testing.T) {
	t.Parallel()
	s := pgtest.NewStore(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for i := range postgres.CallPartitionsAhead + 1 {
		name := "calls_" + time.Date(now.Year(), now.Month()+time.Month(i), 1, 0, 0, 0, 0, time.UTC).Format("2006_01")
		var ok bool
		if err := s.DB.Pool().QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil || !ok {
			t.Fatalf("partition %s missing after the migrations (%v)", name, err)
		}
	}

	saveCall(t, s, "now.1", 1, now, "")
	if part, n := callPartition(t, s, "now.1"); n != 1 || part != "calls_"+now.Format("2006_01") {
		t.Fatalf("a call of this month is in %q (%d rows)", part, n)
	}
	old := time.Date(2019, 3, 15, 10, 0, 0, 0, time.UTC)
	saveCall(t, s, "old.1", 1, old, "")
	if part, n := callPartition(t, s, "old.1"); n != 1 || part != "calls_default" {
		t.Fatalf("a call of a month without partition is in %q (%d rows), want calls_default", part, n)
	}
	// a later update claiming another month changes nothing of the row's place
	saveCall(t, s, "old.1", 2, old.AddDate(0, 2, 0), telephony.OutcomeAnswered)
	var started time.Time
	var outcome string
	if err := s.DB.Pool().QueryRow(ctx, `SELECT started_at, outcome FROM calls WHERE linkedid = 'old.1'`).Scan(&started, &outcome); err != nil {
		t.Fatal(err)
	}
	if part, n := callPartition(t, s, "old.1"); n != 1 || part != "calls_default" || !started.Equal(old) || outcome != "answered" {
		t.Fatalf("after an update with another start: %d rows in %q, started %v, outcome %q", n, part, started, outcome)
	}
	page, err := s.Calls.ListCalls(ctx, telephony.CallFilter{From: old.Add(-time.Hour), To: old.Add(time.Hour)})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list the old month: %+v %v", page.Items, err)
	}
	id := page.Items[0].ID

	made, err := s.Calls.EnsureCallPartitions(ctx, postgres.CallPartitionsAhead)
	if err != nil || made != 1 {
		t.Fatalf("maintenance made %d partitions (%v), want 1 (March 2019)", made, err)
	}
	if part, n := callPartition(t, s, "old.1"); n != 1 || part != "calls_2019_03" {
		t.Fatalf("after maintenance the old call is in %q (%d rows)", part, n)
	}
	if c, _, err := s.Calls.GetCall(ctx, id); err != nil || c.LinkedID != "old.1" {
		t.Fatalf("the moved call by its id %d: %+v %v", id, c, err)
	}
	saveCall(t, s, "old.1", 3, old, telephony.OutcomeAnswered)
	if part, n := callPartition(t, s, "old.1"); n != 1 || part != "calls_2019_03" {
		t.Fatalf("an update after the move: %d rows in %q", n, part)
	}
	if made, err := s.Calls.EnsureCallPartitions(ctx, postgres.CallPartitionsAhead); err != nil || made != 0 {
		t.Fatalf("second maintenance run made %d (%v), want 0", made, err)
	}
	// a fresh call gets an id after the moved ones
	saveCall(t, s, "now.2", 1, now, "")
	var ids int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT count(DISTINCT id) FROM calls`).Scan(&ids); err != nil || ids != 3 {
		t.Fatalf("%d distinct ids for 3 calls (%v)", ids, err)
	}
}

// Migration 00120 converts the call log both ways without losing a call,
// its id or its timeline, and the tracker's idempotent writes go on after
// each direction.
func TestCallsPartitionMigrationKeepsCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	s := pgtest.Open(t, dsn, postgres.Options{})
	ups := trackerUpdates(t, "with-linkedid/sip-attended-transfer.jsonl")
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, ups...)); err != nil {
		t.Fatal(err)
	}
	saveCall(t, s, "old.1", 1, time.Date(2020, 2, 29, 23, 30, 0, 0, time.UTC), telephony.OutcomeAnswered)
	before, beforeTL := callLog(t, s)+callIDs(t, s), callTimelines(t, s)

	files, err := fs.Glob(postgres.Migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, f := range files {
		if f >= "00120" {
			steps++
		}
	}
	if err := postgres.MigrateDown(ctx, dsn, steps); err != nil {
		t.Fatalf("down past 00120: %v", err)
	}
	s.DB.Pool().Reset() // cached plans name the partitioned table
	if kind := relKind(t, s, "calls"); kind != "r" {
		t.Fatalf("calls after down is relkind %q, want a plain table", kind)
	}
	if got := callLog(t, s) + callIDs(t, s); got != before || callTimelines(t, s) != beforeTL {
		t.Fatalf("down changed the call log:\n%s\n%s", before, got)
	}
	if err := postgres.MigrateUp(ctx, dsn); err != nil {
		t.Fatalf("up again: %v", err)
	}
	s.DB.Pool().Reset()
	if kind := relKind(t, s, "calls"); kind != "p" {
		t.Fatalf("calls after up is relkind %q, want partitioned", kind)
	}
	if got := callLog(t, s) + callIDs(t, s); got != before || callTimelines(t, s) != beforeTL {
		t.Fatalf("up changed the call log:\n%s\n%s", before, got)
	}
	if part, _ := callPartition(t, s, "old.1"); part != "calls_2020_02" {
		t.Fatalf("the converted February 2020 call is in %q", part)
	}
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, ups...)); err != nil { // replayed after the conversion: idempotent
		t.Fatal(err)
	}
	if got := callLog(t, s) + callIDs(t, s); got != before || callTimelines(t, s) != beforeTL {
		t.Fatalf("a replay after the conversion changed the call log:\n%s\n%s", before, got)
	}
}

func relKind(t *testing.T, s *postgres.Services, name string) string {
	t.Helper()
	var k string
	if err := s.DB.Pool().QueryRow(context.Background(), "SELECT relkind::text FROM pg_class WHERE relname = $1", name).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

func callIDs(t *testing.T, s *postgres.Services) string {
	t.Helper()
	var ids []string
	rows, err := s.DB.Pool().Query(context.Background(), "SELECT id::text || ' ' || linkedid FROM calls ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v)
	}
	return strings.Join(ids, "\n")
}
