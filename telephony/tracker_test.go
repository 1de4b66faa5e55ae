package telephony

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"hotline/telephony/ari/aritest/transcripts"
)

// The same scenarios recorded with and without channelvars give the same
// call records (ids and timings differ between the two runs), and with
// channelvars the tracker makes no REST reads.
func TestLinkedIDModesAgree(t *testing.T) {
	dir := transcripts.Dir(t)
	plain, _ := filepath.Glob(filepath.Join(dir, "sip-*.jsonl"))
	for _, p := range plain {
		name := strings.TrimSuffix(filepath.Base(p), ".jsonl")
		t.Run(name, func(t *testing.T) {
			a, fa := runTranscript(t, dir, name)
			b, fb := runTranscript(t, dir, "with-linkedid/"+name)
			if fb.reads != 0 {
				t.Errorf("with channelvars the tracker made %d REST linkedid reads, want 0", fb.reads)
			}
			if fa.reads == 0 {
				t.Errorf("without channelvars the tracker made no REST linkedid reads")
			}
			if len(a) != len(b) {
				t.Fatalf("%d calls without channelvars, %d with", len(a), len(b))
			}
			for i := range a {
				compareCalls(t, a[i], b[i])
			}
		})
	}
}

func compareCalls(t *testing.T, a, b Call) {
	t.Helper()
	if a.Direction != b.Direction || a.Outcome != b.Outcome || a.HangupBy != b.HangupBy ||
		a.Agent != b.Agent || strings.Join(a.Agents, ",") != strings.Join(b.Agents, ",") ||
		len(a.Transfers) != len(b.Transfers) || len(a.Legs) != len(b.Legs) || a.HangupCause != b.HangupCause ||
		(a.MergedInto == "") != (b.MergedInto == "") {
		t.Errorf("records differ:\n%+v\n%+v", a, b)
	}
	for _, d := range [][2]float64{{a.RingSeconds, b.RingSeconds}, {a.TalkSeconds, b.TalkSeconds}, {a.HoldSeconds, b.HoldSeconds}, {a.WaitSeconds, b.WaitSeconds}} {
		if math.Abs(d[0]-d[1]) > 0.05 {
			t.Errorf("durations differ: %v vs %v (ring/talk/hold/wait)", a, b)
		}
	}
}

// Feeding every event twice changes nothing: events are idempotent on
// their identity.
func TestReplayIsIdempotent(t *testing.T) {
	dir := transcripts.Dir(t)
	lines := readLines(t, filepath.Join(dir, "with-linkedid", "sip-attended-transfer.jsonl"))
	once := feed(t, lines, 1)
	twice := feed(t, lines, 2)
	if len(once) != len(twice) {
		t.Fatalf("%d calls once, %d twice", len(once), len(twice))
	}
	for i := range once {
		compareCalls(t, once[i], twice[i])
		if once[i].TalkSeconds != twice[i].TalkSeconds {
			t.Errorf("talk %v once, %v twice", once[i].TalkSeconds, twice[i].TalkSeconds)
		}
	}
}

func feed(t *testing.T, lines [][]byte, times int) []Call {
	t.Helper()
	j := newMemJournal(1 << 20)
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Journal: j, Rules: goldenRules})
	for _, l := range lines {
		for range times {
			tr.HandleFrame("pbx1", "", l)
		}
	}
	if times > 1 && tr.Stats().Duplicates == 0 {
		t.Error("no duplicates counted")
	}
	recs, _, _ := j.Next(1 << 20)
	ups, err := decodeUpdates(recs)
	if err != nil {
		t.Fatal(err)
	}
	var calls []Call
	for _, u := range ups {
		calls = append(calls, u.Call)
	}
	return calls
}

// Subscribers get the domain events of a call in order, or only the kinds
// they asked for; one that does not read is dropped without slowing the
// tracker.
func TestSubscribers(t *testing.T) {
	dir := transcripts.Dir(t)
	lines := readLines(t, filepath.Join(dir, "with-linkedid", "sip-hold.jsonl"))
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Rules: goldenRules})
	events, cancel := tr.Subscribe(64)
	defer cancel()
	slow, _ := tr.Subscribe(1)
	holds, cancelHolds := tr.Subscribe(1, EventCallHeld, EventCallUnheld) // one buffered: kept only if it gets no other kind
	defer cancelHolds()
	var held []string
	for _, l := range lines {
		tr.HandleFrame("pbx1", "", l)
		select {
		case e, ok := <-holds:
			if !ok {
				t.Fatal("the hold subscriber was dropped: it was sent other kinds")
			}
			held = append(held, string(e.Kind))
		default:
		}
	}
	if got := strings.Join(held, " "); got != "call_held call_unheld" {
		t.Errorf("the hold subscriber got %q", got)
	}
	var kinds []string
	for len(events) > 0 {
		e := <-events
		kinds = append(kinds, string(e.Kind))
		if e.Kind == EventAgentRinging && e.Agent != "1001" {
			t.Errorf("ringing agent %q, want 1001", e.Agent)
		}
		if e.Kind == EventCallEnded && (e.Call.TalkSeconds < 3.9 || e.Call.HoldSeconds < 2.9) {
			t.Errorf("ended call talk %v hold %v", e.Call.TalkSeconds, e.Call.HoldSeconds)
		}
	}
	want := "call_started agent_ringing agent_answered call_answered call_held call_unheld call_ended"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	n := 0
	for range slow {
		n++
	}
	if n != 1 {
		t.Errorf("slow subscriber got %d events before being dropped, want 1 (then a closed channel)", n)
	}
}

// In the recorded ring-all queue call each agent's own leg is reported as
// it happens: 1002's answer, 1001's end of ringing (the first of two Dial
// CANCELs, then its channel's end) and 1002's hang-up before the call's;
// the call snapshot of the first already shows 1001's ring over.
func TestAgentLegEvents(t *testing.T) {
	dir := transcripts.Dir(t)
	lines := readLines(t, filepath.Join(dir, "with-linkedid", "sip-inbound-queue.jsonl"))
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Rules: goldenRules})
	events, cancel := tr.Subscribe(256)
	defer cancel()
	for _, l := range lines {
		tr.HandleFrame("pbx1", "", l)
	}
	var seq []string
	var cancelled *Event
	for len(events) > 0 {
		e := <-events
		switch e.Kind {
		case EventAgentRinging, EventAgentAnswered, EventAgentLegEnded, EventCallAnswered, EventCallEnded:
			seq = append(seq, string(e.Kind)+":"+e.Agent)
		}
		if e.Kind == EventAgentLegEnded && e.Agent == "1001" && cancelled == nil {
			cancelled = &e
		}
	}
	want := "agent_ringing:1001 agent_ringing:1002 agent_answered:1002 agent_leg_ended:1001 agent_leg_ended:1001 call_answered: agent_leg_ended:1002 call_ended:"
	if got := strings.Join(seq, " "); got != want {
		t.Errorf("events\n %s\nwant\n %s", got, want)
	}
	if cancelled == nil {
		t.Fatal("no agent_leg_ended for 1001")
	}
	for _, l := range cancelled.Call.Legs {
		if l.Agent == "1001" && (l.DialStatus != "CANCEL" || l.AnsweredAt != nil) {
			t.Errorf("1001's leg in the event: dial status %q answered %v, want CANCEL and never answered", l.DialStatus, l.AnsweredAt)
		}
	}
}

func TestEndpointOf(t *testing.T) {
	for in, want := range map[string]string{
		"PJSIP/1001-00000013":                  "PJSIP/1001",
		"PJSIP/customers-00000000":             "PJSIP/customers",
		"Local/agent@sim-agent-00000004;1":     "Local/agent@sim-agent",
		"Local/74959876543@inbound-00000002;2": "Local/74959876543@inbound",
		"SIP/my-trunk-0000a1":                  "SIP/my-trunk",
	} {
		if got := EndpointOf(in); got != want {
			t.Errorf("EndpointOf(%q) = %q, want %q", in, got, want)
		}
	}
}
