package aritest

import (
	"context"
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// TestOriginatePJSIP: click-to-call to an agent phone (not recorded; see
// pjsip.go): Dial "" -> RINGING -> ANSWER, StasisStart once answered, and a
// busy phone never enters Stasis.
func TestOriginatePJSIP(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 8})
	defer s.Close()
	s.SetPhone("1002", Phone{Busy: true})
	s.SetPhone("1001", Phone{AnswerAfter: time.Second, HangupAfter: 2 * time.Second})
	a := connectApp(t, s)
	ch := a.subscribe()
	id := a.restID("POST", "/channels?app=hotline&appArgs=outbound&endpoint=PJSIP%2F1001&callerId=%22Hotline%22+%3C100%3E", "")
	e := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id })
	if e.obj("channel")["state"] != "Up" {
		t.Errorf("StasisStart state %v, want Up", e.obj("channel")["state"])
	}
	d := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id })
	if d["cause"] != float64(16) {
		t.Errorf("cause %v, want 16", d["cause"])
	}
	busy := a.restID("POST", "/channels?app=hotline&endpoint=PJSIP%2F1002", "")
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeDial && e["dialstatus"] == "BUSY" })
	d = a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == busy })
	if d["cause"] != float64(17) {
		t.Errorf("busy cause %v, want 17", d["cause"])
	}
	if st, body := a.rest("POST", "/channels?app=hotline&endpoint=PJSIP%2Fnobody", ""); st != 500 || jsonField(body, "error") != "Allocation failed" {
		t.Errorf("unknown endpoint: %d %s", st, body)
	}
	for _, e := range a.snapshot() {
		if e.typ() == ari.TypeStasisStart && chanID(e) == busy {
			t.Error("busy channel entered Stasis")
		}
	}
}

// TestClockSpeed: virtual time runs Speed times faster and SetSpeed keeps
// it continuous.
func TestClockSpeed(t *testing.T) {
	start := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	c := NewClock(start, 100)
	begin := time.Now()
	if err := c.Sleep(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if real := time.Since(begin); real > time.Second {
		t.Errorf("5 virtual seconds at speed 100 took %v", real)
	}
	if v := c.Now().Sub(start); v < 5*time.Second {
		t.Errorf("virtual time advanced only %v", v)
	}
	before := c.Now()
	c.SetSpeed(1)
	if c.Now().Before(before) {
		t.Error("SetSpeed moved time backwards")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err == nil {
		t.Error("Sleep ignored a cancelled context")
	}
}

// TestLinkedIDVariable: CHANNEL(linkedid) read over REST follows the
// attended transfer's silent change (the 1002 channel takes the
// customer's linkedid when the customer joins its bridge).
func TestLinkedIDVariable(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 9})
	defer s.Close()
	a := connectApp(t, s)
	a.surveyApp(context.Background())
	ch := a.subscribe()
	go func() {
		_, _ = s.InboundCall(context.Background(), Inbound{SurveyHangupAfter: time.Second, Phones: map[string]Phone{
			"1001": {AnswerAfter: time.Second, AttendedTransferTo: "1002", TransferAfter: time.Second, ConsultFor: time.Second},
			"1002": {AnswerAfter: time.Second, HangupAfter: 30 * time.Second}}})
	}()
	cust := chanID(a.must(ch, ari.TypeChannelCreated))
	target := chanID(a.mustWhere(ch, func(e event) bool {
		return e.typ() == ari.TypeChannelCreated && e.obj("channel")["name"].(string)[:10] == "PJSIP/1002"
	}))
	linked := func(id string) string {
		_, body := a.rest("GET", "/channels/"+id+"/variable?variable=CHANNEL(linkedid)", "")
		return jsonField(body, "value")
	}
	if l := linked(target); l == cust {
		t.Errorf("consultation channel starts with the customer's linkedid %s", l)
	}
	a.must(ch, ari.TypeBridgeAttendedTransfer)
	if l := linked(target); l != cust {
		t.Errorf("after the transfer the target's linkedid is %s, want %s", l, cust)
	}
	s.WaitIdle(10 * time.Second)
}

// TestOriginatorLinkedID: a channel originated or created with
// ?originator= takes that channel's linkedid (Asterisk requests it on the
// originator's behalf), Local halves alike; without one it starts its own
// call; an unknown originator is refused with 400.
func TestOriginatorLinkedID(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 9, ChannelVarsLinkedID: true})
	defer s.Close()
	s.SetPhone("1001", Phone{NeverAnswer: true})
	a := connectApp(t, s)
	ch := a.subscribe()
	cust := a.restID("POST", "/channels?endpoint=Local%2F74959876543%40inbound&context=sim-customer&extension=talk&callerId=%2B74951234567", "")
	linkedOfID := func(id string) string {
		_, body := a.rest("GET", "/channels/"+id+"/variable?variable=CHANNEL(linkedid)", "")
		return jsonField(body, "value")
	}
	want := linkedOfID(cust)
	if want != cust {
		t.Fatalf("the customer's linkedid is %q, want its own id %q", want, cust)
	}
	cases := []struct{ name, path string }{
		{"create PJSIP", "/channels/create?app=hotline&appArgs=agent&endpoint=PJSIP%2F1001&originator=" + cust},
		{"create Local", "/channels/create?app=hotline&appArgs=agent&endpoint=Local%2Fagent-slow%40sim-agent&originator=" + cust},
		{"originate PJSIP", "/channels?app=hotline&endpoint=PJSIP%2F1001&originator=" + cust},
		{"originate Local", "/channels?app=hotline&endpoint=Local%2Fagent%40sim-agent&originator=" + cust},
	}
	for _, c := range cases {
		id := a.restID("POST", c.path, "")
		if got := linkedOfID(id); got != want {
			t.Errorf("%s: linkedid %q, want the originator's %q", c.name, got, want)
		}
		e := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelCreated && chanID(e) == id })
		if got := linkedOf(e.obj("channel")); got != want {
			t.Errorf("%s: ChannelCreated carries linkedid %q, want %q", c.name, got, want)
		}
		if c.name == "create Local" || c.name == "originate Local" {
			two := a.mustWhere(ch, func(e event) bool {
				n, _ := e.obj("channel")["name"].(string)
				return e.typ() == ari.TypeChannelCreated && strings.HasSuffix(n, ";2") && chanID(e) != id
			})
			if got := linkedOf(two.obj("channel")); got != want {
				t.Errorf("%s: the ;2 half carries linkedid %q, want %q", c.name, got, want)
			}
		}
	}
	own := a.restID("POST", "/channels/create?app=hotline&endpoint=PJSIP%2F1001", "")
	if got := linkedOfID(own); got != own {
		t.Errorf("without an originator the linkedid is %q, want the channel's own id %q", got, own)
	}
	if st, body := a.rest("POST", "/channels/create?app=hotline&endpoint=PJSIP%2F1001&originator=nope", ""); st != 400 {
		t.Errorf("unknown originator: %d %s, want 400", st, body)
	}
}
