package aritest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// TestRunDemo runs demo traffic fast and checks the mix and the stream's
// invariants; every event must decode into a typed ari event. At Speed 600
// a few milliseconds of scheduling delay are seconds of virtual time, so
// some rings outlast their Dial timeout (Dial NOANSWER): fine for a demo.
func TestRunDemo(t *testing.T) {
	s := New(Options{Speed: 600, Seed: 7, Agents: demoAgents})
	defer s.Close()
	a := connectApp(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	a.surveyApp(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.RunDemo(ctx, DemoOptions{Agents: demoAgents, CallsPerMinute: 12})
	}()
	// Run until every kind of call happened (at most 15 s: 150 virtual minutes).
	wanted := []string{ari.TypeChannelHold, ari.TypeBridgeBlindTransfer, ari.TypeBridgeAttendedTransfer, "\"BUSY\"", "\"CANCEL\"", "\"survey\""}
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		missing := 0
		raw, _ := json.Marshal(a.snapshot())
		for _, w := range wanted {
			if !strings.Contains(string(raw), w) {
				missing++
			}
		}
		if missing == 0 {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	events := a.snapshot()
	seen := checkStream(t, events)
	for _, want := range []string{"Dial ANSWER", "Dial BUSY", "Dial CANCEL", "StasisStart survey", ari.TypeChannelHold, ari.TypeChannelUnhold,
		ari.TypeBridgeBlindTransfer, ari.TypeBridgeAttendedTransfer, ari.TypeChannelDtmfReceived, ari.TypeDeviceStateChanged, ari.TypeChannelVarset} {
		if seen[want] == 0 {
			t.Errorf("demo traffic produced no %s (saw %v)", want, seen)
		}
	}
	t.Logf("%d events, %d channels", len(events), seen[ari.TypeChannelCreated])
}

// checkStream checks that every event decodes into a typed ari event and
// that channel lifecycles are in order; it counts events by type (Dial by
// status, StasisStart by first argument).
func checkStream(t *testing.T, events []event) map[string]int {
	seen := map[string]int{}
	created, destroyed, inStasis := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, e := range events {
		raw, _ := json.Marshal(e)
		ev, err := ari.Decode(raw)
		if err != nil {
			t.Fatalf("event %d does not decode: %v", i, err)
		}
		if _, unknown := ev.(*ari.UnknownEvent); unknown {
			t.Errorf("event %d: unknown type %s", i, e.typ())
		}
		key := e.typ()
		switch key {
		case ari.TypeDial:
			key += " " + e["dialstatus"].(string)
		case ari.TypeStasisStart:
			key += " " + e["args"].([]any)[0].(string)
		}
		seen[key]++
		id := chanID(e)
		switch e.typ() {
		case ari.TypeChannelCreated:
			created[id] = true
		case ari.TypeChannelDestroyed:
			if !created[id] || destroyed[id] || inStasis[id] {
				t.Errorf("channel %s destroyed out of order (created %v, destroyed %v, in Stasis %v)", id, created[id], destroyed[id], inStasis[id])
			}
			destroyed[id] = true
		case ari.TypeStasisStart:
			inStasis[id] = true
		case ari.TypeStasisEnd:
			delete(inStasis, id)
		default:
			if id != "" && destroyed[id] {
				t.Errorf("%s after ChannelDestroyed of %s", e.typ(), id)
			}
		}
	}
	return seen
}

var demoAgents = []string{"1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010", "1011", "1012"}

// TestRunDemoTakesAgentsAddedWhileRunning: an agent AgentsNow starts
// answering (as one added on the admin pages would) gets demo calls.
func TestRunDemoTakesAgentsAddedWhileRunning(t *testing.T) {
	s := New(Options{Speed: 600, Seed: 3, Agents: []string{"1001"}})
	defer s.Close()
	a := connectApp(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.surveyApp(ctx)
	added := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.RunDemo(ctx, DemoOptions{Agents: []string{"PJSIP/1001"}, CallsPerMinute: 30,
			AgentsNow: func(context.Context) ([]string, error) {
				select {
				case <-added:
					return []string{"PJSIP/2001"}, nil
				default:
					return nil, nil // nothing new yet: keep 1001
				}
			}})
	}()
	rang := func(endpoint string) bool {
		raw, _ := json.Marshal(a.snapshot())
		return strings.Contains(string(raw), `"name":"`+endpoint+`-`)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !rang("PJSIP/1001") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if rang("PJSIP/2001") {
		t.Fatal("2001 got a call before it was added")
	}
	close(added)
	for !rang("PJSIP/2001") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !rang("PJSIP/1001") || !rang("PJSIP/2001") {
		t.Errorf("calls to 1001 %v, to 2001 %v; want both", rang("PJSIP/1001"), rang("PJSIP/2001"))
	}
}
