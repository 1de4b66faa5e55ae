package telephony_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm/phone"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

var recordC2C = flag.Bool("record-c2c", false, "rewrite the click-to-call fixtures testdata/c2c-*.jsonl from the simulated PBX")

// c2cRun is one click-to-call placed through the simulated PBX, with the
// tracker's final record and the raw event stream it folded.
type c2cRun struct {
	id     string
	call   telephony.Call
	frames [][]byte
}

// placeClickToCall runs a simulated PBX whose dial context is pbxContext,
// places a click-to-call from PJSIP/1001 to +74957654321 with Hotline
// configured for hotlineContext, and returns the ended call.
func placeClickToCall(t *testing.T, speed float64, pbxContext, hotlineContext string, agent, callee aritest.Phone, callerID ...string) c2cRun {
	t.Helper()
	srv := aritest.New(aritest.Options{Speed: speed, ChannelVarsLinkedID: true, Seed: 11, DialContext: pbxContext})
	t.Cleanup(srv.Close)
	srv.SetPhone("1001", agent)
	srv.SetCallee("+74957654321", callee)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var mu sync.Mutex
	var frames [][]byte
	var tracker *telephony.Tracker
	c, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	norm := phone.Normalizer{Region: "RU"}
	tracker = telephony.NewTracker(telephony.TrackerOptions{
		Roster: agents, Channels: telephony.ARIChannels{Nodes: oneNode{c}}, Rules: rules,
		Normalize: func(n string) string { v, _ := norm.Lookup(n); return v },
	})
	folded := telephony.EventTypes()
	events, stop := tracker.Subscribe(1024)
	defer stop()
	go c.Run(ctx, func(m ari.Message) {
		if slices.Contains(folded, m.Type) {
			mu.Lock()
			frames = append(frames, bytes.Clone(m.Raw))
			mu.Unlock()
		}
		tracker.Handle(m)
	})
	for !srv.Connected("hotline") {
		if ctx.Err() != nil {
			t.Fatal("event socket never connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c2c := telephony.NewClickToCall(telephony.ClickToCallOptions{
		Originator: telephony.ARIChannels{Nodes: oneNode{c}}, Node: "pbx1", Context: hotlineContext,
		CallerID: strings.Join(callerID, ""),
	})
	id, err := c2c.Call(ctx, "PJSIP/1001", "+74957654321", "alice")
	if err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case <-ctx.Done():
			t.Fatal("the click-to-call never ended")
		case e := <-events:
			if e.Kind != telephony.EventCallEnded || e.LinkedID != id {
				continue
			}
			mu.Lock()
			defer mu.Unlock()
			return c2cRun{id: id, call: e.Call, frames: frames}
		}
	}
}

// saveC2CFixture writes a run's events as testdata/c2c-<name>.jsonl when
// -record-c2c is given (TestClickToCallFixtures replays them).
func saveC2CFixture(t *testing.T, name string, r c2cRun) {
	if !*recordC2C {
		return
	}
	var b bytes.Buffer
	for _, f := range r.frames {
		b.Write(f)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join("testdata", "c2c-"+name+".jsonl"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestClickToCallRecordedLikeADialledCall places click-to-calls through the
// simulated PBX (agent leg, then the pstn leg the dialplan dials, the
// callee's ringing and answer) and checks the call record field by field.
func TestClickToCallRecordedLikeADialledCall(t *testing.T) {
	agentPhone := aritest.Phone{AnswerAfter: time.Second, HangupAfter: 4 * time.Second}
	cases := []struct {
		name          string
		callee        aritest.Phone
		outcome       telephony.Outcome
		answered      bool
		ring, talk    float64
		calleeDialled string
	}{
		{"answered", aritest.Phone{AnswerAfter: time.Second, HangupAfter: time.Minute}, telephony.OutcomeAnswered, true, 1, 4, ""},
		{"busy", aritest.Phone{Busy: true}, telephony.OutcomeBusy, false, 0, 0, "BUSY"},
		{"noanswer", aritest.Phone{NeverAnswer: true}, telephony.OutcomeNoAnswer, false, 60, 0, "NOANSWER"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := placeClickToCall(t, 20, "agents", "agents", agentPhone, tc.callee)
			saveC2CFixture(t, tc.name, r)
			c := r.call
			check := func(field string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", field, got, want)
				}
			}
			check("linkedid", c.LinkedID, r.id)
			check("direction", c.Direction, telephony.Outbound)
			check("outcome", c.Outcome, tc.outcome)
			check("caller", c.Caller, "1001")
			check("callee", c.Callee, "+74957654321")
			check("customer", c.Customer, "+74957654321")
			check("agent in agents", strings.Join(c.Agents, ","), "alice")
			if len(c.Legs) != 2 {
				t.Fatalf("legs = %d, want the agent's and the pstn leg: %+v", len(c.Legs), c.Legs)
			}
			al, pl := c.Legs[0], c.Legs[1]
			check("agent leg endpoint", al.Endpoint, "PJSIP/1001")
			check("pstn leg endpoint", pl.Endpoint, "PJSIP/pstn")
			if al.RingingAt == nil || al.AnsweredAt == nil {
				t.Fatalf("the agent leg keeps its own ring and answer: %+v", al)
			}
			check("agent leg rang before it answered", al.RingingAt.Before(*al.AnsweredAt), true)
			check("answered", c.AnsweredAt != nil, tc.answered)
			if tc.answered {
				check("answered_at is the callee's answer", c.AnsweredAt.Equal(*pl.AnsweredAt), true)
				check("answered after the agent", c.AnsweredAt.After(*al.AnsweredAt), true)
				check("agent", c.Agent, "alice")
				check("hangup by", c.HangupBy, telephony.PartyAgent)
			} else {
				check("pstn dial status", pl.DialStatus, tc.calleeDialled)
			}
			// Durations only roughly: the clock runs 20× and so do the
			// machine's scheduling delays; TestClickToCallFixtures checks
			// the exact values of recorded runs.
			if (c.RingSeconds > 0) != (tc.ring > 0) || (c.TalkSeconds > 0) != (tc.talk > 0) {
				t.Errorf("ring %v talk %v, want the callee's ring ≈ %v and talk ≈ %v", c.RingSeconds, c.TalkSeconds, tc.ring, tc.talk)
			}
		})
	}
}

// TestClickToCallWithAMissingDialContext: a PBX without Hotline's dial
// context hangs the agent's leg up right after the agent answers; the call
// is a failed outbound call to the number, not an internal answered one.
func TestClickToCallWithAMissingDialContext(t *testing.T) {
	// in real time: the simulated PBX hangs up in the same step as the
	// answer, and a faster clock would scale the machine's scheduling delays
	r := placeClickToCall(t, 1, "from-internal", "agents", aritest.Phone{AnswerAfter: 200 * time.Millisecond}, aritest.DefaultPhone)
	saveC2CFixture(t, "no-context", r)
	c := r.call
	if c.Direction != telephony.Outbound || c.Outcome != telephony.OutcomeFailed || c.AnsweredAt != nil {
		t.Errorf("direction %s, outcome %s, answered %v; want outbound, failed, unanswered", c.Direction, c.Outcome, c.AnsweredAt)
	}
	if c.Callee != "+74957654321" || c.Customer != "+74957654321" {
		t.Errorf("callee %q customer %q, want the number dialled", c.Callee, c.Customer)
	}
	if len(c.Legs) != 1 || c.Legs[0].AnsweredAt == nil || c.HangupBy != telephony.PartySystem {
		t.Fatalf("want one answered agent leg hung up by the PBX, got hangup_by %s, legs %+v", c.HangupBy, c.Legs)
	}
	if d := c.Legs[0].EndedAt.Sub(*c.Legs[0].AnsweredAt); d > 100*time.Millisecond {
		t.Errorf("the PBX hung up %v after the answer, want at once", d)
	}
}

// TestClickToCallCallerIDs: the callee sees the centre's caller id (the
// agent's own extension, for the dialplan's outbound caller id, or the
// configured one), never its own number; the agent's phone shows the
// number to be called through the connected line.
func TestClickToCallCallerIDs(t *testing.T) {
	answer := aritest.Phone{AnswerAfter: time.Second, HangupAfter: time.Second}
	for _, tc := range []struct{ configured, wantName, wantNumber string }{
		{"", "", "1001"},
		{`"Hotline" <+74950000000>`, "Hotline", "+74950000000"},
	} {
		r := placeClickToCall(t, 20, "agents", "agents", answer, answer, tc.configured)
		type party struct{ Name, Number string }
		var agentSees, calleeSees party
		for _, f := range r.frames {
			var ev struct {
				Type    string `json:"type"`
				Channel struct {
					Name      string `json:"name"`
					Connected party  `json:"connected"`
				} `json:"channel"`
			}
			if json.Unmarshal(f, &ev) != nil || ev.Channel.Connected.Number == "" {
				continue
			}
			switch {
			case strings.HasPrefix(ev.Channel.Name, "PJSIP/1001-") && agentSees == party{}:
				agentSees = ev.Channel.Connected // the INVITE to the agent's phone
			case strings.HasPrefix(ev.Channel.Name, "PJSIP/pstn-"):
				calleeSees = ev.Channel.Connected
			}
		}
		if calleeSees.Number == "+74957654321" || calleeSees != (party{tc.wantName, tc.wantNumber}) {
			t.Errorf("configured %q: the callee sees %+v, want %q <%s>", tc.configured, calleeSees, tc.wantName, tc.wantNumber)
		}
		if agentSees != (party{"Call +74957654321", "+74957654321"}) {
			t.Errorf("the agent's phone shows %+v, want the number to be called", agentSees)
		}
	}
}
