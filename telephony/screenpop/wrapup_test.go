package screenpop

import (
	"context"
	"testing"
	"time"
)

// TestWrapUpEndsByItself: wrap-up lasts the configured time on every
// replica's reading, a call answered during wrap-up ends it and still pops,
// and that call's end starts a fresh wrap-up.
func TestWrapUpEndsByItself(t *testing.T) {
	r := newRig(t)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	board := WrapUpEnds(NewLocalStatusBoard(), time.Minute, clock)
	r.popper.opts.Status, r.popper.opts.Now = board, clock
	ctx := context.Background()
	get := func() StatusEntry {
		t.Helper()
		e, err := board.Get(ctx, "alice")
		must(t, err)
		return e
	}
	call := func(id string) {
		t.Helper()
		must(t, r.popper.Ringing(ctx, Ringing{CallID: id, AgentLogin: "alice", Caller: ivanPhone}))
		must(t, r.popper.Answered(ctx, Answered{CallID: id, AgentLogin: "alice"}))
		now = now.Add(30 * time.Second)
		must(t, r.popper.Ended(ctx, Ended{CallID: id}))
	}
	call("w-1")
	ended := now
	if e := get(); e.Status != StatusWrapUp || e.Until == nil || !e.Until.Equal(ended.Add(time.Minute)) {
		t.Fatalf("after the call: %+v, want wrap-up until %s", e, ended.Add(time.Minute))
	}
	now = ended.Add(59 * time.Second)
	if e := get(); e.Status != StatusWrapUp {
		t.Errorf("59 s later: %s", e.Status)
	}
	now = ended.Add(time.Minute)
	if e := get(); e.Status != StatusAvailable || !e.Since.Equal(ended.Add(time.Minute)) || e.Until != nil {
		t.Errorf("a minute later: %+v, want available since the end of wrap-up", e)
	}
	all, err := board.All(ctx)
	must(t, err)
	if len(all) != 1 || all[0].Status != StatusAvailable {
		t.Errorf("supervisors read %+v", all)
	}

	// A second call's wrap-up is interrupted by a third call.
	call("w-2")
	now = now.Add(10 * time.Second)
	sub := subscribe(t, r.hub, "alice")
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "w-3", AgentLogin: "alice", Caller: ivanPhone}))
	for p, _ := next(t, sub); p.CallID != "w-3" || p.State != StateRinging; p, _ = next(t, sub) {
		// replayed cards of the earlier calls come first
	}
	if e := get(); e.Status != StatusWrapUp {
		t.Errorf("ringing during wrap-up: %s", e.Status)
	}
	must(t, r.popper.Answered(ctx, Answered{CallID: "w-3", AgentLogin: "alice"}))
	if e := get(); e.Status != StatusAvailable {
		t.Errorf("answering during wrap-up: %s, want available", e.Status)
	}
	now = now.Add(5 * time.Second)
	must(t, r.popper.Ended(ctx, Ended{CallID: "w-3"}))
	if e := get(); e.Status != StatusWrapUp || !e.Since.Equal(now) {
		t.Errorf("after the third call: %+v, want a fresh wrap-up", e)
	}
}

func TestWrapUpEndsOffLeavesTheBoard(t *testing.T) {
	b := NewLocalStatusBoard()
	if got := WrapUpEnds(b, 0, nil); got != StatusBoard(b) {
		t.Error("a zero wrap-up time wraps the board")
	}
}
