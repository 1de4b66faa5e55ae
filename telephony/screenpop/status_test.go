package screenpop

import (
	"context"
	"testing"

	"hotline/crm"
)

func testStatusBoard(t *testing.T, b StatusBoard) {
	ctx := context.Background()
	if e, err := b.Get(ctx, "nobody"); err != nil || e.Status != StatusAvailable {
		t.Errorf("unknown agent = %+v %v, want available", e, err)
	}
	must(t, b.Set(ctx, StatusEntry{Agent: "zoe", Status: StatusPaused}))
	must(t, b.Set(ctx, StatusEntry{Agent: "adam", Status: StatusWrapUp}))
	all, err := b.All(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Agent != "adam" || all[1].Status != StatusPaused {
		t.Errorf("all = %+v", all)
	}
}

func TestStatusBoards(t *testing.T) {
	t.Run("local", func(t *testing.T) { testStatusBoard(t, NewLocalStatusBoard()) })
	t.Run("redis", func(t *testing.T) {
		prefix := redisPrefix(t)
		testStatusBoard(t, NewRedisStatusBoard(newRedis(t, redisAddr), prefix))
	})
}

func TestWrapUpStatusFollowsTheCall(t *testing.T) {
	r := newRig(t)
	board := NewLocalStatusBoard()
	r.popper.opts.Status = board
	ctx := context.Background()
	status := func(agent string) AgentStatus {
		e, _ := board.Get(ctx, agent)
		return e.Status
	}
	if _, err := r.popper.SetStatus(ctx, "alice", "lunch"); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("unknown status accepted: %v", err)
	}
	_, err := r.popper.SetStatus(ctx, "bob", StatusPaused)
	must(t, err)
	for _, agent := range []string{"alice", "bob"} {
		must(t, r.popper.Ringing(ctx, Ringing{CallID: "s-" + agent, AgentLogin: agent, Caller: ivanPhone}))
		must(t, r.popper.Answered(ctx, Answered{CallID: "s-" + agent, AgentLogin: agent}))
		must(t, r.popper.Ended(ctx, Ended{CallID: "s-" + agent}))
	}
	if status("alice") != StatusWrapUp || status("bob") != StatusPaused {
		t.Errorf("after the calls: alice %s, bob %s; want wrap_up and paused", status("alice"), status("bob"))
	}
	_, err = r.popper.WrapUp(ctx, WrapUpInput{Agent: "alice", CallID: "s-alice", ClientID: 1, Note: "done"}, &fakeTimeline{})
	must(t, err)
	if status("alice") != StatusAvailable {
		t.Errorf("after the note alice is %s", status("alice"))
	}
}
