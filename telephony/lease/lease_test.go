package lease_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres/pgtest"
	"hotline/telephony/lease"
)

// holder runs one lease and counts how often its work is active.
type holder struct {
	l       *lease.Lease
	active  atomic.Int32
	starts  atomic.Int32
	overlap *atomic.Int32 // shared: active holders right now
	maxSeen *atomic.Int32
}

func (h *holder) work(ctx context.Context) error {
	h.starts.Add(1)
	h.active.Store(1)
	n := h.overlap.Add(1)
	for {
		m := h.maxSeen.Load()
		if n <= m || h.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	<-ctx.Done()
	h.overlap.Add(-1)
	h.active.Store(0)
	return nil
}

func fastOptions() lease.Options {
	return lease.Options{Retry: 300 * time.Millisecond, KeepAlive: 200 * time.Millisecond}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// terminateHolder ends the backend holding an advisory lock in the database.
func terminateHolder(t *testing.T, dsn string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var pid int
	err = conn.QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&pid)
	if err != nil {
		t.Fatalf("find the lock holder: %v", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestExactlyOneHolderAndTakeOverAfterConnectionLoss(t *testing.T) {
	dsn := pgtest.NewEmptyDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	var overlap, maxSeen atomic.Int32
	hs := make([]*holder, 2)
	var wg sync.WaitGroup
	for i := range hs {
		l, err := lease.New(dsn, "hotline-ari:pbx1", fastOptions())
		if err != nil {
			t.Fatal(err)
		}
		hs[i] = &holder{l: l, overlap: &overlap, maxSeen: &maxSeen}
		wg.Go(func() {
			if err := l.Run(ctx, hs[i].work); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	defer func() { cancel(); wg.Wait() }()

	active := func() int { return int(hs[0].active.Load() + hs[1].active.Load()) }
	waitFor(t, 5*time.Second, "one active holder", func() bool { return active() == 1 })
	time.Sleep(time.Second) // the standby keeps retrying meanwhile
	if active() != 1 || !(hs[0].l.Held() != hs[1].l.Held()) {
		t.Fatalf("active holders %d, held %v %v: want exactly one", active(), hs[0].l.Held(), hs[1].l.Held())
	}
	first := 0
	if hs[1].active.Load() == 1 {
		first = 1
	}
	other := 1 - first

	for round := 0; round < 2; round++ {
		killed := time.Now()
		terminateHolder(t, dsn)
		waitFor(t, 3*time.Second, "the holder to stop", func() bool { return hs[first].active.Load() == 0 })
		waitFor(t, 5*time.Second, "the standby to take over", func() bool { return hs[other].active.Load() == 1 })
		t.Logf("round %d: take-over after %v", round, time.Since(killed))
		first, other = other, first
	}
	if m := maxSeen.Load(); m != 1 {
		t.Fatalf("%d holders were active at once", m)
	}
}

func TestReleasedOnStopAndWorkErrorReturned(t *testing.T) {
	dsn := pgtest.NewEmptyDSN(t)
	a, _ := lease.New(dsn, "hotline-ari:pbx2", fastOptions())
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	doneA := make(chan error, 1)
	go func() {
		doneA <- a.Run(ctx, func(ctx context.Context) error { close(started); <-ctx.Done(); return nil })
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("first lease never started")
	}
	cancel()
	if err := <-doneA; err != nil || a.Held() {
		t.Fatalf("Run after cancel: %v, held %v", err, a.Held())
	}

	// The lock was released: another holder gets it at once, and its
	// work's failure comes back from Run.
	b, _ := lease.New(dsn, "hotline-ari:pbx2", fastOptions())
	want := context.DeadlineExceeded
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	start := time.Now()
	err := b.Run(ctx2, func(context.Context) error { return want })
	if err != want {
		t.Fatalf("Run returned %v, want the work's error", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("second holder waited %v: the first did not release", time.Since(start))
	}
}

func TestDifferentNamesDoNotConflict(t *testing.T) {
	dsn := pgtest.NewEmptyDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running atomic.Int32
	for _, name := range []string{"hotline-ari:a", "hotline-ari:b"} {
		l, _ := lease.New(dsn, name, fastOptions())
		go l.Run(ctx, func(ctx context.Context) error { running.Add(1); <-ctx.Done(); return nil })
	}
	waitFor(t, 5*time.Second, "both leases held", func() bool { return running.Load() == 2 })
}

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := lease.New("mysql://x", "n", lease.Options{}); err == nil {
		t.Error("bad URL accepted")
	}
	if _, err := lease.New(pgtest.DefaultURL, "", lease.Options{}); err == nil {
		t.Error("empty name accepted")
	}
}

// TestSessionEndSeenWithoutWaitingForAPing: the holder waits on its
// connection between pings, so that PostgreSQL ending its session stops
// the work at once although the next ping is a minute away; and a holder
// whose work returns is not held up by that wait either.
func TestSessionEndSeenWithoutWaitingForAPing(t *testing.T) {
	dsn := pgtest.NewEmptyDSN(t)
	l, err := lease.New(dsn, "hotline-ari:pbx3", lease.Options{Retry: 300 * time.Millisecond, KeepAlive: time.Minute, Settle: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var overlap, maxSeen atomic.Int32
	h := &holder{l: l, overlap: &overlap, maxSeen: &maxSeen}
	go func() { _ = l.Run(ctx, h.work) }()
	waitFor(t, 5*time.Second, "the holder to start", func() bool { return h.active.Load() == 1 })
	killed := time.Now()
	terminateHolder(t, dsn)
	// Seen at once: well before the next ping, a minute away (the bound
	// leaves room for a loaded machine).
	waitFor(t, 10*time.Second, "the holder to stop", func() bool { return h.active.Load() == 0 })
	if d := time.Since(killed); d > 10*time.Second {
		t.Fatalf("the session's end was seen after %v", d)
	}

	quick, err := lease.New(dsn, "hotline-ari:pbx4", lease.Options{KeepAlive: time.Minute, Settle: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	errWork := errors.New("work failed")
	if err := quick.Run(ctx, func(context.Context) error { return errWork }); !errors.Is(err, errWork) {
		t.Fatalf("Run = %v, want the work's error", err)
	}
	if d := time.Since(began); d > 20*time.Second { // not a keep-alive (a minute) later
		t.Fatalf("Run returned %v after the work did", d)
	}
}
