package aritest

import (
	"context"
	"testing"
	"time"
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
	e := a.mustWhere(ch, func(e event) bool { return e.typ() == "StasisStart" && chanID(e) == id })
	if e.obj("channel")["state"] != "Up" {
		t.Errorf("StasisStart state %v, want Up", e.obj("channel")["state"])
	}
	d := a.mustWhere(ch, func(e event) bool { return e.typ() == "ChannelDestroyed" && chanID(e) == id })
	if d["cause"] != float64(16) {
		t.Errorf("cause %v, want 16", d["cause"])
	}
	busy := a.restID("POST", "/channels?app=hotline&endpoint=PJSIP%2F1002", "")
	a.mustWhere(ch, func(e event) bool { return e.typ() == "Dial" && e["dialstatus"] == "BUSY" })
	d = a.mustWhere(ch, func(e event) bool { return e.typ() == "ChannelDestroyed" && chanID(e) == busy })
	if d["cause"] != float64(17) {
		t.Errorf("busy cause %v, want 17", d["cause"])
	}
	if st, body := a.rest("POST", "/channels?app=hotline&endpoint=PJSIP%2Fnobody", ""); st != 500 || jsonField(body, "error") != "Allocation failed" {
		t.Errorf("unknown endpoint: %d %s", st, body)
	}
	for _, e := range a.snapshot() {
		if e.typ() == "StasisStart" && chanID(e) == busy {
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
	cust := chanID(a.must(ch, "ChannelCreated"))
	target := chanID(a.mustWhere(ch, func(e event) bool {
		return e.typ() == "ChannelCreated" && e.obj("channel")["name"].(string)[:10] == "PJSIP/1002"
	}))
	linked := func(id string) string {
		_, body := a.rest("GET", "/channels/"+id+"/variable?variable=CHANNEL(linkedid)", "")
		return jsonField(body, "value")
	}
	if l := linked(target); l == cust {
		t.Errorf("consultation channel starts with the customer's linkedid %s", l)
	}
	a.must(ch, "BridgeAttendedTransfer")
	if l := linked(target); l != cust {
		t.Errorf("after the transfer the target's linkedid is %s, want %s", l, cust)
	}
	s.WaitIdle(10 * time.Second)
}
