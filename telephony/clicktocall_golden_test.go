package telephony

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestClickToCallFixtures replays the click-to-call event streams of the
// simulated PBX (testdata/c2c-*.jsonl, written by go test -run
// TestClickToCall -record-c2c) and checks the records field by field,
// then whole against their golden files.
func TestClickToCallFixtures(t *testing.T) {
	for _, tc := range []struct {
		name             string
		outcome          Outcome
		answered         bool
		legs             int
		ring             float64
		hangupBy         Party
		agentLegAnswered bool
		failure          ClickToCallFailure
	}{
		{"answered", OutcomeAnswered, true, 2, 1, PartyAgent, true, ""},
		{"busy", OutcomeBusy, false, 2, 0, PartyCallee, true, FailureBusy},
		{"noanswer", OutcomeNoAnswer, false, 2, 60, PartySystem, true, FailureNoAnswer},
		{"no-context", OutcomeFailed, false, 1, 0, PartySystem, true, FailureNoRoute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, _ := runTranscript(t, "testdata", "c2c-"+tc.name)
			if len(calls) != 1 {
				t.Fatalf("%d calls, want 1", len(calls))
			}
			c := calls[0]
			if c.Direction != Outbound || c.Outcome != tc.outcome || (c.AnsweredAt != nil) != tc.answered {
				t.Errorf("direction %s outcome %s answered %v, want outbound %s %v", c.Direction, c.Outcome, c.AnsweredAt != nil, tc.outcome, tc.answered)
			}
			if c.Caller != "1001" || c.Callee != "+74957654321" || c.Customer != "+74957654321" {
				t.Errorf("caller %q callee %q customer %q", c.Caller, c.Callee, c.Customer)
			}
			if len(c.Legs) != tc.legs || c.Legs[0].Agent != "1001" || (c.Legs[0].AnsweredAt != nil) != tc.agentLegAnswered || c.Legs[0].RingingAt == nil {
				t.Errorf("legs %+v", c.Legs)
			}
			if !(c.RingSeconds >= tc.ring-0.2 && c.RingSeconds <= tc.ring+0.2) {
				t.Errorf("ring_seconds %v, want ≈ %v (the callee's)", c.RingSeconds, tc.ring)
			}
			if f := ClickToCallFailed(&c); f != tc.failure {
				t.Errorf("failure %q, want %q", f, tc.failure)
			}
			if c.HangupBy != tc.hangupBy {
				t.Errorf("hangup_by %s, want %s", c.HangupBy, tc.hangupBy)
			}
			got, _ := json.MarshalIndent(calls, "", "  ")
			got = append(got, '\n')
			golden := filepath.Join("testdata", "c2c-"+tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden file (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("call record differs from %s:\n%s", golden, got)
			}
		})
	}
}

// TestClickToCallAdoptedAtAReconnect: the event socket reconnects while
// the agent's phone rings; reconciliation adopts the agent's channel from
// GET /channels, then the ChannelCreated queued behind the listing comes:
// the call is still recorded as the click-to-call it is.
func TestClickToCallAdoptedAtAReconnect(t *testing.T) {
	lines := readLines(t, filepath.Join("testdata", "c2c-no-context.jsonl"))
	first, _, err := decodeWire(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	created := first.Channel.CreationTime
	fc := &fakeChannels{live: []LiveChannel{{ID: first.Channel.ID, Name: first.Channel.Name, State: "Ringing",
		CallerNumber: "1001", Context: "default", Exten: "s", LinkedID: first.Channel.ID, CreatedAt: created}}}
	j := newMemJournal(1 << 20)
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Channels: fc, Journal: j, Rules: goldenRules, Normalize: normalizeRU})
	if err := tr.Reconcile(context.Background(), "pbx1"); err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		tr.HandleFrame("pbx1", "", line)
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := j.Next(1 << 20)
	ups, err := decodeUpdates(recs)
	if err != nil || len(ups) != 1 {
		t.Fatalf("%d updates, %v", len(ups), err)
	}
	c := ups[0].Call
	if c.Direction != Outbound || c.Outcome != OutcomeFailed || c.Callee != "+74957654321" || ClickToCallFailed(&c) != FailureNoRoute {
		t.Errorf("adopted click-to-call recorded as %s %s to %q (failure %q)", c.Direction, c.Outcome, c.Callee, ClickToCallFailed(&c))
	}
}
