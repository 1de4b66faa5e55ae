package telephony_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
	"hotline/telephony/spool"
)

const childEnv = "HOTLINE_TRACKER_CHILD"

// TestTrackerChildProcess is the tracker process of TestTrackerSurvivesSIGKILL:
// the test binary re-executed with HOTLINE_TRACKER_CHILD set. It runs until
// it is killed.
func TestTrackerChildProcess(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs only as the child of TestTrackerSurvivesSIGKILL")
	}
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("CHILD_DSN"), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(os.Getenv("CHILD_SPOOL"), spool.Options{Sync: spool.SyncInterval})
	if err != nil {
		t.Fatal(err)
	}
	var tr *telephony.Tracker
	startARIFeed(ctx, t, os.Getenv("CHILD_ARI"), func(c *ari.Client) *telephony.Tracker {
		tr = telephony.NewTracker(telephony.TrackerOptions{
			Store: postgres.NewServices(store).Calls, Roster: agents, Channels: telephony.ARIChannels{Nodes: oneNode{c}}, Journal: sp,
			Rules: rules, FlushInterval: 5 * time.Millisecond,
		})
		return tr
	})
	tr.Run(ctx)
}

func startChild(t *testing.T, ari, dsn, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTrackerChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_DSN="+dsn, "CHILD_SPOOL="+dir, "CHILD_ARI="+ari)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// The tracker process is killed with SIGKILL while 30 calls are talking
// (once their answers are durable) and started again after 10 of them
// ended. Afterwards every call
// is in the log once: the 20 that ended after the restart with exactly the
// durations of a tracker that never stopped, the 10 that ended during the
// outage closed by reconciliation.
func TestTrackerSurvivesSIGKILL(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child process")
	}
	srv := aritest.New(aritest.Options{Speed: 10, ChannelVarsLinkedID: true, Seed: 3})
	t.Cleanup(srv.Close)
	dsn, dir := pgtest.NewDSN(t), t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ref := newRefTracker(ctx, t, srv)
	child := startChild(t, srv.URL(), dsn, dir)
	waitFor(t, "child connected", func() bool { return srv.Connected("hotline") && srv.Connected("ref") })

	store := pgtest.Open(t, dsn, postgres.Options{})
	var short, long sync.WaitGroup
	var endedMu sync.Mutex
	endedAt := map[int]time.Time{} // when the emulator finished each call
	call := func(wg *sync.WaitGroup, i int, talk time.Duration) {
		defer wg.Done()
		_, err := srv.InboundCall(ctx, aritest.Inbound{From: fmt.Sprintf("+7495%07d", i), Exten: "7002",
			Phones: map[string]aritest.Phone{"1001": {AnswerAfter: time.Second, HangupAfter: talk}}})
		if err != nil {
			t.Error(err)
		}
		endedMu.Lock()
		endedAt[i] = time.Now()
		endedMu.Unlock()
	}
	for i := range 30 {
		wg, talk := &long, 60*time.Second // ends after the restart
		if i < 10 {
			wg, talk = &short, 15*time.Second // ends while the tracker is down
		}
		wg.Add(1)
		go call(wg, i, talk)
	}
	// kill once every call is answered and that is durable
	waitFor(t, "30 answered calls in the log", func() bool {
		var n int
		err := store.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM call_log WHERE answered_at IS NOT NULL`).Scan(&n)
		return err == nil && n == 30
	})
	killedAt := time.Now()
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	short.Wait() // the short calls end while no tracker runs
	startChild(t, srv.URL(), dsn, dir)
	long.Wait()

	waitFor(t, "every call ended in the log", func() bool {
		var open int
		err := store.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM call_log WHERE ended_at IS NULL`).Scan(&open)
		var n int
		store.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM call_log`).Scan(&n)
		return err == nil && open == 0 && n >= 30
	})
	waitFor(t, "the reference tracker to see every call", func() bool {
		for i := range 30 {
			if _, ok := ref.get(fmt.Sprintf("+7495%07d", i)); !ok {
				return false
			}
		}
		return true
	})
	rows := callLogRows(t, store)
	reconciled := 0
	defer func() {
		if reconciled == 0 {
			t.Error("no call ended while the tracker was down: the machine was too slow for this test")
		}
	}()
	if len(rows) != 30 {
		t.Errorf("%d calls in the log, want 30", len(rows))
	}
	for i := range 30 {
		caller := fmt.Sprintf("+7495%07d", i)
		row, ok := rows[caller]
		want, refOK := ref.get(caller)
		switch {
		case !ok || !refOK:
			t.Errorf("call %d: in log %v, in reference %v", i, ok, refOK)
		case i < 10 && endedAt[i].After(killedAt):
			reconciled++
			if !row.reconciled || row.talk > want.TalkSeconds+0.001 || row.outcome != "answered" {
				t.Errorf("call %d ended during the outage: %+v, reference talk %.3f", i, row, want.TalkSeconds)
			}
		case row.reconciled && i < 10: // ended as the tracker was killed: best known
			if row.talk > want.TalkSeconds+0.001 {
				t.Errorf("call %d: talk %.3f > real %.3f", i, row.talk, want.TalkSeconds)
			}
		default: // ended while a tracker ran: exact
			if row.reconciled || row.outcome != string(want.Outcome) || abs(row.ring-want.RingSeconds) > 0.001 ||
				abs(row.talk-want.TalkSeconds) > 0.001 || abs(row.wait-want.WaitSeconds) > 0.001 {
				t.Errorf("call %d ended after the restart: %+v, reference %+v", i, row, want)
			}
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
