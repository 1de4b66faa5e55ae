package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func rec(i int) []byte { return []byte(fmt.Sprintf("record-%05d", i)) }

func mustOpen(t *testing.T, dir string, opts Options) *Spool {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func drain(t *testing.T, s *Spool, commitEvery int) []string {
	t.Helper()
	var got []string
	for {
		recs, last, err := s.Next(commitEvery)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return got
		}
		for _, r := range recs {
			got = append(got, string(r))
		}
		if err := s.Commit(last); err != nil {
			t.Fatal(err)
		}
	}
}

// Records come back in order across segments, uncommitted ones again after
// a reopen, committed ones never, and old segments are deleted.
func TestOrderReopenAndCommit(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{SegmentBytes: 200})
	for i := range 50 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	recs, last, err := s.Next(20)
	if err != nil || len(recs) != 20 || last != 20 {
		t.Fatalf("Next: %d records, last %d, %v", len(recs), last, err)
	}
	again, _, _ := s.Next(20)
	if string(again[0]) != string(recs[0]) {
		t.Fatal("uncommitted records must be returned again")
	}
	if err := s.Commit(last); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.PendingRecords != 30 {
		t.Fatalf("pending %d, want 30", st.PendingRecords)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, Options{SegmentBytes: 200})
	defer s.Close()
	got := drain(t, s, 7)
	if len(got) != 30 || got[0] != string(rec(20)) || got[29] != string(rec(49)) {
		t.Fatalf("after reopen got %d records: %v", len(got), got)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) > 2 {
		t.Errorf("%d segments left after everything was committed", len(segs))
	}
	if err := s.Append(rec(50)); err != nil {
		t.Fatal(err)
	}
	if got := drain(t, s, 10); len(got) != 1 || got[0] != string(rec(50)) {
		t.Fatalf("new record after drain: %v", got)
	}
}

// A record torn by a crash in mid-write is dropped at reopen; the records
// before it survive.
func TestTornTail(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	for i := range 3 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	f, _ := os.OpenFile(segs[0], os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte{0, 0, 0, 50, 1, 2, 3, 4, 'x'}) // header of a 50-byte record, 1 byte of it
	f.Close()
	s = mustOpen(t, dir, Options{})
	defer s.Close()
	if got := drain(t, s, 10); len(got) != 3 {
		t.Fatalf("got %v", got)
	}
	if err := s.Append(rec(3)); err != nil {
		t.Fatal(err)
	}
	if got := drain(t, s, 10); len(got) != 1 || got[0] != string(rec(3)) {
		t.Fatalf("after torn tail got %v", got)
	}
}

// A full spool blocks Append (and counts it) until the consumer commits.
func TestBackpressure(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{MaxBytes: 100, Sync: SyncNever})
	defer s.Close()
	for i := range 5 {
		if err := s.Append(rec(i)); err != nil { // 20 bytes each
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- s.Append(rec(5)) }()
	select {
	case err := <-done:
		t.Fatalf("Append into a full spool returned %v, want it to wait", err)
	case <-time.After(50 * time.Millisecond):
	}
	if s.Stats().FullWaits != 1 {
		t.Errorf("full waits %d, want 1", s.Stats().FullWaits)
	}
	_, last, _ := s.Next(2)
	if err := s.Commit(last); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Append still blocked after a commit made room")
	}
	if got := drain(t, s, 10); len(got) != 4 || got[3] != string(rec(5)) {
		t.Fatalf("got %v", got)
	}
	if err := s.Append(make([]byte, 200)); err == nil {
		t.Error("an append larger than the spool must fail, not block forever")
	}
}

// waitSyncs waits (at most 5 s) until the spool has fsynced n times.
func waitSyncs(t *testing.T, s *Spool, n uint64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); s.Stats().Syncs < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d fsyncs after 5 s, want %d", s.Stats().Syncs, n)
		}
	}
}

// SyncInterval: an Append does not fsync; records the consumer has not
// committed SyncEvery after the oldest of them was appended are fsynced
// then, all at once; records it committed before are never fsynced (they
// are stored where it put them). SyncAlways fsyncs every Append.
func TestSyncIntervalSyncsOnlyWhatWasNotCommitted(t *testing.T) {
	const every = 30 * time.Millisecond
	s := mustOpen(t, t.TempDir(), Options{Sync: SyncInterval, SyncEvery: every})
	defer s.Close()

	// the consumer keeps up: nothing is fsynced
	for i := range 5 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
		_, last, _ := s.Next(10)
		if err := s.Commit(last); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(4 * every)
	if n := s.Stats().Syncs; n != 0 {
		t.Fatalf("%d fsyncs of records committed before their deadline, want 0", n)
	}

	// the consumer is behind: one fsync for the records appended meanwhile
	start := time.Now()
	for i := 5; i < 8; i++ {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Stats().Syncs; n != 0 {
		t.Fatalf("Append fsynced (%d) before the deadline", n)
	}
	waitSyncs(t, s, 1)
	if waited := time.Since(start); waited < every {
		t.Fatalf("fsynced %v after the append, before SyncEvery (%v)", waited, every)
	}
	time.Sleep(4 * every)
	if n := s.Stats().Syncs; n != 1 {
		t.Fatalf("%d fsyncs for one group of records, want 1", n)
	}

	// committed only in part: the rest is fsynced at the deadline
	if err := s.Append(rec(8), rec(9)); err != nil {
		t.Fatal(err)
	}
	if recs, _, _ := s.Next(100); len(recs) != 5 {
		t.Fatalf("%d records pending, want rec(5) to rec(9)", len(recs))
	}
	if err := s.Commit(9); err != nil { // up to rec(8): rec(i) has id i+1
		t.Fatal(err)
	}
	if st := s.Stats(); st.PendingRecords != 1 {
		t.Fatalf("%d records pending, want rec(9) only", st.PendingRecords)
	}
	waitSyncs(t, s, 2)
	if got := drain(t, s, 10); len(got) != 1 || got[0] != string(rec(9)) {
		t.Fatalf("left %q, want rec(9)", got)
	}

	always := mustOpen(t, t.TempDir(), Options{Sync: SyncAlways})
	defer always.Close()
	for i := range 3 {
		if err := always.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := always.Stats().Syncs; n != 3 {
		t.Fatalf("SyncAlways: %d fsyncs for 3 appends", n)
	}
}
