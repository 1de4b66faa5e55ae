package screenpop_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/internal/testneed"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
	"hotline/telephony/screenpop"
)

// These tests run the production chain of a replica (ARI client whose
// connect reconciles the call tracker, the tracker, the popper following
// it, a Redis hub) against the simulated Asterisk, and hand a node's event
// stream from one such replica to another, as a fail-over does. The agents'
// consoles are subscriptions on a third hub: signed in on another replica.

const redisAddr = "127.0.0.1:6379"

// phoneBook is a hand-written ClientFinder: one client per number.
type phoneBook map[string]string

func (b phoneBook) FindClientsByPhone(_ context.Context, e164 string) ([]crm.Client, error) {
	if name, ok := b[e164]; ok {
		return []crm.Client{{ID: 1, Name: name}}, nil
	}
	return nil, nil
}

type roster map[string]string

func (r roster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

type oneNode struct{ c *ari.Client }

func (o oneNode) Get(node string) (*ari.Client, bool) { return o.c, node == o.c.Node() }

// failoverRig is the simulated PBX, Redis and the database the replicas share.
type failoverRig struct {
	srv    *aritest.Server
	rdb    *redis.Client
	prefix string
	store  *postgres.Services // nil: replicas keep no call log
	cards  *screenpop.CardBuilder
	calls  sync.WaitGroup
}

func newFailoverRig(t *testing.T, withStore bool) *failoverRig {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		testneed.Missing(t, "redis at %s not reachable (scripts/deps.sh starts it): %v", redisAddr, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	r := &failoverRig{rdb: rdb, prefix: "hotline:test:" + hex.EncodeToString(b[:]) + ":"}
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := rdb.Keys(ctx, r.prefix+"*").Result(); len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	if withStore {
		r.store = pgtest.NewStore(t)
	}
	r.srv = aritest.New(aritest.Options{Speed: 4, ChannelVarsLinkedID: true, Agents: []string{"1001", "1002"}})
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.calls.Wait) // before the PBX closes: calls end by themselves
	r.cards = screenpop.NewCardBuilder(screenpop.CardSources{Clients: phoneBook{
		"+79161234567": "Ivan Petrov", "+79169876543": "Olga Sidorova"}})
	return r
}

// hub is a Redis hub of one replica.
func (r *failoverRig) hub(t *testing.T) *screenpop.RedisHub {
	t.Helper()
	h := screenpop.NewRedisHub(r.rdb, screenpop.RedisOptions{Prefix: r.prefix, RetryEvery: 100 * time.Millisecond})
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// replica is one Hotline process's call tracking and popping for node pbx1.
type replica struct {
	tracker *telephony.Tracker
	stop    func()
}

// startReplica connects a replica to the node's event stream (its store is
// the rig's when logged is true) and waits until it consumes it.
func (r *failoverRig) startReplica(t *testing.T, logged bool) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rep := &replica{}
	var store telephony.CallStore
	if logged {
		store = r.store.Calls
	}
	c, err := ari.NewClient(ari.Config{
		Node: "pbx1", URL: r.srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline",
		ReconnectMin: 5 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
		OnConnect: func(ctx context.Context) {
			if err := rep.tracker.Reconcile(ctx, "pbx1"); err != nil && ctx.Err() == nil {
				t.Errorf("reconcile: %v", err)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rep.tracker = telephony.NewTracker(telephony.TrackerOptions{
		Store: store, Channels: telephony.ARIChannels{Nodes: oneNode{c}}, FlushInterval: 5 * time.Millisecond,
		Roster: roster{"PJSIP/1001": "alice", "PJSIP/1002": "bob"},
		Rules:  telephony.DirectionRules{TrunkEndpoints: []string{"PJSIP/customers"}},
	})
	hub := r.hub(t)
	popper := screenpop.NewPopper(screenpop.Options{Cards: r.cards, Hub: hub})
	done := make(chan struct{}, 3)
	for _, run := range []func(){
		func() { _ = rep.tracker.Run(ctx) },
		func() { _ = popper.RunTracker(ctx, rep.tracker.Subscribe) },
		func() { _ = c.Run(ctx, rep.tracker.Handle) },
	} {
		go func() { run(); done <- struct{}{} }()
	}
	var once sync.Once
	rep.stop = func() {
		once.Do(func() {
			cancel()
			for range 3 {
				<-done
			}
			_ = hub.Close()
		})
	}
	t.Cleanup(rep.stop)
	waitUntil(t, "the replica to consume the event stream", func() bool { return r.srv.Connected("hotline") })
	return rep
}

// call places an inbound call from number to agent resource 7002 (Dial
// PJSIP/<agent>,10) in the background.
func (r *failoverRig) call(t *testing.T, number, agent string, phone aritest.Phone) {
	t.Helper()
	r.calls.Go(func() {
		_, err := r.srv.InboundCall(context.Background(), aritest.Inbound{From: number, Name: "Customer",
			Exten: "7002", Agent: agent, Phones: map[string]aritest.Phone{agent: phone}})
		if err != nil {
			t.Errorf("call from %s: %v", number, err)
		}
	})
}

// agentLegs returns the state of every live agent channel (PJSIP/100x) by
// resource, read over REST as the tracker does.
func (r *failoverRig) agentLegs(t *testing.T) map[string]string {
	t.Helper()
	c, err := ari.NewClient(ari.Config{Node: "pbx1", URL: r.srv.URL(), User: "hotline", Password: "hotline-secret", App: "probe"})
	if err != nil {
		t.Fatal(err)
	}
	live, err := telephony.ARIChannels{Nodes: oneNode{c}}.List(context.Background(), "pbx1")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, ch := range live {
		if ep := telephony.EndpointOf(ch.Name); ep == "PJSIP/1001" || ep == "PJSIP/1002" {
			out[ep[len("PJSIP/"):]] = ch.State
		}
	}
	return out
}

// nextPop returns the console's next pop, failing after five seconds.
func nextPop(t *testing.T, s *screenpop.Subscription) screenpop.Pop {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatalf("console subscription closed: %v", s.Err())
		}
		var p screenpop.Pop
		if err := json.Unmarshal(m.Data, &p); err != nil {
			t.Fatal(err)
		}
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no pop arrived on the console within 5 s")
	}
	return screenpop.Pop{}
}

// wantPop reads the console's next pop and checks its state and caller.
func wantPop(t *testing.T, s *screenpop.Subscription, state screenpop.State, caller string) screenpop.Pop {
	t.Helper()
	p := nextPop(t, s)
	if p.State != state || p.Card == nil || p.Card.Caller != caller {
		t.Fatalf("pop = %s of call %s (card %+v), want %s for caller %s", p.State, p.CallID, p.Card, state, caller)
	}
	return p
}

func console(t *testing.T, h screenpop.Hub, agent string) *screenpop.Subscription {
	t.Helper()
	s, err := h.Subscribe(context.Background(), agent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Two calls begin while no replica has the node's event stream: alice's
// phone is still ringing when a replica takes the stream over, bob's was
// answered already. The new owner adopts both calls when it reconciles:
// alice's card pops ringing, bob's pops and is answered, and both follow
// their calls to the end.
func TestCallsThatBeganDuringTakeOverPop(t *testing.T) {
	r := newFailoverRig(t, false)
	consoles := r.hub(t)
	alice, bob := console(t, consoles, "alice"), console(t, consoles, "bob")
	// virtual times, 4x faster than real
	r.call(t, "+79161234567", "1001", aritest.Phone{AnswerAfter: 6 * time.Second, HangupAfter: 2 * time.Second})
	r.call(t, "+79169876543", "1002", aritest.Phone{AnswerAfter: 200 * time.Millisecond, HangupAfter: 4 * time.Second})
	waitUntil(t, "alice's phone ringing and bob's answered", func() bool {
		legs := r.agentLegs(t)
		return legs["1001"] == "Ringing" && legs["1002"] == "Up"
	})
	r.startReplica(t, false)

	p := wantPop(t, alice, screenpop.StateRinging, "+79161234567")
	if len(p.Card.Clients) != 1 || p.Card.Clients[0].Name != "Ivan Petrov" || p.Endpoint != "PJSIP/1001" {
		t.Errorf("alice's card = %+v at %s", p.Card, p.Endpoint)
	}
	// GET /channels gives the adopted caller's dialplan and name as events would
	if p.Card.Dialled != "7002" || p.Card.CallerName != "Customer" {
		t.Errorf("adopted card dialled %q, caller name %q; want 7002, Customer", p.Card.Dialled, p.Card.CallerName)
	}
	wantPop(t, alice, screenpop.StateAnswered, "+79161234567")
	if p := wantPop(t, alice, screenpop.StateEnded, "+79161234567"); p.TalkSeconds != 2 {
		t.Errorf("alice talked %d s, want 2", p.TalkSeconds)
	}

	wantPop(t, bob, screenpop.StateRinging, "+79169876543")
	answered := wantPop(t, bob, screenpop.StateAnswered, "+79169876543")
	if answered.Card.Clients[0].Name != "Olga Sidorova" || answered.AnsweredAt.Before(answered.RingingAt) {
		t.Errorf("bob's answered pop = %+v", answered)
	}
	wantPop(t, bob, screenpop.StateEnded, "+79169876543")
}

// An agent is talking when the replica that owns the event stream stops;
// another takes over, either resuming the call from the call log or, when
// the call had not reached the log, adopting it from Asterisk. The agent's
// card is not popped again: the same card, with the times it had, reaches
// "ended" when the call does.
func TestCallsInProgressAtFailOverEndOnTheCard(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logged bool // the first owner wrote the call to the log: resumed, else adopted
	}{{"resumed", true}, {"adopted", false}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newFailoverRig(t, true)
			alice := console(t, r.hub(t), "alice")
			first := r.startReplica(t, tc.logged)
			r.call(t, "+79161234567", "1001", aritest.Phone{AnswerAfter: 400 * time.Millisecond, HangupAfter: 8 * time.Second})
			ringing := wantPop(t, alice, screenpop.StateRinging, "+79161234567")
			answered := wantPop(t, alice, screenpop.StateAnswered, "+79161234567")
			if tc.logged {
				waitUntil(t, "the answer in the call log", func() bool {
					open, err := r.store.Calls.OpenCalls(context.Background(), "pbx1")
					return err == nil && len(open) == 1 && len(open[0].Call.Legs) == 2 && open[0].Call.Legs[1].AnsweredAt != nil
				})
			}
			first.stop()
			waitUntil(t, "the first owner gone", func() bool { return !r.srv.Connected("hotline") })
			r.startReplica(t, true)

			ended := nextPop(t, alice)
			if ended.State != screenpop.StateEnded || ended.CallID != ringing.CallID || ended.Seq <= answered.Seq {
				t.Fatalf("after the take-over: %s pop of call %s seq %d, want the card of %s ended after seq %d",
					ended.State, ended.CallID, ended.Seq, ringing.CallID, answered.Seq)
			}
			if !ended.RingingAt.Equal(ringing.RingingAt) || !ended.ReceivedAt.Equal(ringing.ReceivedAt) ||
				!ended.AnsweredAt.Equal(answered.AnsweredAt) || ended.TalkSeconds != 8 {
				t.Errorf("ended card: rang %v answered %v talked %d s; first popped: rang %v answered %v",
					ended.RingingAt, ended.AnsweredAt, ended.TalkSeconds, ringing.RingingAt, answered.AnsweredAt)
			}
			select {
			case m := <-alice.C:
				t.Errorf("unexpected pop after the end: %s", m.Data)
			case <-time.After(300 * time.Millisecond):
			}
			t.Logf("call %s: rang %v, answered %v, ended on the same card after the take-over, %d s of talk",
				ended.CallID, ended.RingingAt.Format(time.TimeOnly), ended.AnsweredAt.Format(time.TimeOnly), ended.TalkSeconds)
		})
	}
}

// Alice's phone is ringing when the owner of the event stream stops, and
// she answers before another replica takes over (resuming the call from the
// call log). Reconciliation reads that her leg is up: her card, popped by
// the first owner, turns answered, then ended; not missed.
func TestCallAnsweredDuringTakeOverEndsAnswered(t *testing.T) {
	r := newFailoverRig(t, true)
	alice := console(t, r.hub(t), "alice")
	first := r.startReplica(t, true)
	r.call(t, "+79161234567", "1001", aritest.Phone{AnswerAfter: 4 * time.Second, HangupAfter: 6 * time.Second})
	ringing := wantPop(t, alice, screenpop.StateRinging, "+79161234567")
	waitUntil(t, "the ringing in the call log", func() bool {
		open, err := r.store.Calls.OpenCalls(context.Background(), "pbx1")
		return err == nil && len(open) == 1 && len(open[0].Call.Legs) == 2 && open[0].Call.Legs[1].RingingAt != nil
	})
	first.stop()
	waitUntil(t, "alice to answer while nobody has the stream", func() bool { return r.agentLegs(t)["1001"] == "Up" })
	r.startReplica(t, true)

	answered := wantPop(t, alice, screenpop.StateAnswered, "+79161234567")
	ended := wantPop(t, alice, screenpop.StateEnded, "+79161234567")
	if answered.CallID != ringing.CallID || ended.CallID != ringing.CallID || !ended.RingingAt.Equal(ringing.RingingAt) {
		t.Errorf("pops of calls %s, %s after ringing for %s", answered.CallID, ended.CallID, ringing.CallID)
	}
	// the answer is dated by the last event seen before the gap: the talk
	// time is over-estimated by at most the gap
	if ended.TalkSeconds < 6 || ended.TalkSeconds > 10 {
		t.Errorf("talked %d s, want 6 s and at most the 4 s of the gap more", ended.TalkSeconds)
	}
}

// The race of TestTwoReplicasFailOver: Alice's phone is ringing when the
// owner of the event stream stops; she answers while nobody has the stream,
// and the call hangs up after the new owner's socket connected but before
// its GET /channels answered. The listing lacks the call and no
// ChannelStateChange tells her answer: only the hangup events queued on the
// socket show her channel Up. Her card, ringing in Redis, turns answered,
// then ended; not missed.
func TestCallAnsweredAndEndedDuringTakeOverEndsAnswered(t *testing.T) {
	r := newFailoverRig(t, true)
	// the PBX's clock runs with ours, as Asterisk's does: its hangup
	// events are stamped before the listing, as queued events are
	r.srv.Clock().SetSpeed(1)
	alice := console(t, r.hub(t), "alice")
	first := r.startReplica(t, true)
	r.call(t, "+79161234567", "1001", aritest.Phone{AnswerAfter: time.Second, HangupAfter: time.Second})
	ringing := wantPop(t, alice, screenpop.StateRinging, "+79161234567")
	waitUntil(t, "the ringing in the call log", func() bool {
		open, err := r.store.Calls.OpenCalls(context.Background(), "pbx1")
		return err == nil && len(open) == 1 && len(open[0].Call.Legs) == 2 && open[0].Call.Legs[1].RingingAt != nil
	})
	first.stop()
	waitUntil(t, "alice to answer while nobody has the stream", func() bool { return r.agentLegs(t)["1001"] == "Up" })
	// the new owner's GET /channels answers after the call has hung up
	r.srv.InjectREST(aritest.RESTFault{Method: http.MethodGet, PathPrefix: "/ari/channels", Hang: 3 * time.Second, Times: 1})
	r.startReplica(t, true)

	answered := wantPop(t, alice, screenpop.StateAnswered, "+79161234567")
	ended := wantPop(t, alice, screenpop.StateEnded, "+79161234567")
	if answered.CallID != ringing.CallID || ended.CallID != ringing.CallID || !ended.RingingAt.Equal(ringing.RingingAt) {
		t.Errorf("pops of calls %s, %s after ringing for %s", answered.CallID, ended.CallID, ringing.CallID)
	}
	if len(r.agentLegs(t)) != 0 {
		t.Error("the call was still up when the listing answered: the test did not hit the race")
	}
}
