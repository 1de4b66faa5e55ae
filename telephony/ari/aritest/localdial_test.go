package aritest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// originateDialOut originates Local/<number>@<context> into the app as a
// campaign does and returns half 1's id.
func originateDialOut(a *appClient, number, context string, timeout int) string {
	ep := "Local%2F" + strings.ReplaceAll(number, "+", "%2B") + "%40" + context
	return a.restID("POST", "/channels?app=hotline&appArgs=survey%2C1&callerId=%22Hotline%22+%3C%2B74950000000%3E&timeout="+
		strconv.Itoa(timeout)+"&endpoint="+ep, "")
}

// channelName is the name of the channel an event is about.
func channelName(e event) string {
	n, _ := e.obj("channel")["name"].(string)
	return n
}

// peerID is the id of a Dial event's peer.
func peerID(e event) string {
	id, _ := e.obj("peer")["id"].(string)
	return id
}

// indexOf returns the position of the first event matching f, or -1.
func indexOf(evs []event, f func(event) bool) int {
	for i, e := range evs {
		if f(e) {
			return i
		}
	}
	return -1
}

// noLiveChannels fails when the PBX still has channels.
func noLiveChannels(t *testing.T, a *appClient) {
	t.Helper()
	if st, body := a.rest("GET", "/channels", ""); st != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("channels left after the call: %d %s", st, body)
	}
}

// TestLocalDialContextAnswered: Local/+79001234567@agents runs the dial
// context's Dial(PJSIP/${EXTEN}@pstn,60): half 1 rings when the callee
// rings, enters Stasis (Up) once it answers, hears the digits the callee
// presses and hangs up when the callee does; nothing is left behind.
func TestLocalDialContextAnswered(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 11})
	defer s.Close()
	s.SetCallee("+79001234567", Phone{AnswerAfter: time.Second, Digits: "5", DigitsAfter: time.Second, HangupAfter: 3 * time.Second})
	a := connectApp(t, s)
	ch := a.subscribe()
	id := originateDialOut(a, "+79001234567", "agents", 30)
	st := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id })
	if st.obj("channel")["state"] != "Up" {
		t.Errorf("StasisStart state %v, want Up", st.obj("channel")["state"])
	}
	dtmf := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDtmfReceived })
	if chanID(dtmf) != id || dtmf["digit"] != "5" {
		t.Errorf("DTMF %v on %s, want 5 on half 1 %s", dtmf["digit"], chanID(dtmf), id)
	}
	end := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id })
	if end["cause"] != float64(16) {
		t.Errorf("half 1 cause %v, want 16", end["cause"])
	}
	a.settle(s)
	evs := a.snapshot()
	pstn := indexOf(evs, func(e event) bool {
		return e.typ() == ari.TypeChannelCreated && strings.HasPrefix(channelName(e), "PJSIP/pstn-")
	})
	dialOut := indexOf(evs, func(e event) bool {
		return e.typ() == ari.TypeChannelDialplan && e["dialplan_app"] == "Dial" && e["dialplan_app_data"] == "PJSIP/+79001234567@pstn,60"
	})
	ringing := indexOf(evs, func(e event) bool {
		return e.typ() == ari.TypeDial && peerID(e) == id && e["dialstatus"] == "RINGING"
	})
	answer := indexOf(evs, func(e event) bool {
		return e.typ() == ari.TypeDial && e.obj("caller") != nil && strings.HasPrefix(e.obj("peer")["name"].(string), "PJSIP/pstn-") && e["dialstatus"] == "ANSWER"
	})
	oneUp := indexOf(evs, func(e event) bool {
		return e.typ() == ari.TypeDial && peerID(e) == id && e["dialstatus"] == "ANSWER"
	})
	start := indexOf(evs, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id })
	if dialOut < 0 || pstn < dialOut || ringing < pstn || answer < ringing || oneUp < answer || start < oneUp {
		t.Errorf("event order: Dial app %d, pstn created %d, half 1 RINGING %d, pstn ANSWER %d, half 1 ANSWER %d, StasisStart %d",
			dialOut, pstn, ringing, answer, oneUp, start)
	}
	for _, e := range evs {
		if e.typ() == ari.TypeChannelDestroyed && e["cause"] != float64(16) {
			t.Errorf("%s destroyed with cause %v, want 16", channelName(e), e["cause"])
		}
	}
	noLiveChannels(t, a)
}

// TestLocalDialContextAppHangsUp: the app hanging half 1 up mid-call ends
// half 2's Dial: the callee is hung up and the Dial's bridge destroyed.
func TestLocalDialContextAppHangsUp(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 12})
	defer s.Close()
	s.SetCallee("+79001234567", Phone{AnswerAfter: time.Second})
	a := connectApp(t, s)
	ch := a.subscribe()
	id := originateDialOut(a, "+79001234567", "agents", 30)
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id })
	a.rest("DELETE", "/channels/"+id, "")
	defer func() {
		if t.Failed() {
			for _, e := range a.snapshot() {
				t.Log(e.typ(), channelName(e), e["cause"], e["dialstatus"])
			}
		}
	}()
	a.mustWhere(ch, func(e event) bool {
		return e.typ() == ari.TypeChannelDestroyed && strings.HasPrefix(channelName(e), "PJSIP/pstn-")
	})
	a.settle(s)
	if indexOf(a.snapshot(), func(e event) bool { return e.typ() == ari.TypeBridgeDestroyed }) < 0 {
		t.Error("the Dial's bridge was not destroyed")
	}
	noLiveChannels(t, a)
}

// TestLocalDialContextFailures: a busy callee and one that never answers
// end half 1 with the Dial's cause (17, 19) before it ever enters Stasis;
// numbers outside the outbound patterns, or another context, stay invalid
// extensions.
func TestLocalDialContextFailures(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 13})
	defer s.Close()
	s.SetCallee("+79001110001", Phone{Busy: true})
	s.SetCallee("+79001110002", Phone{NeverAnswer: true})
	a := connectApp(t, s)
	ch := a.subscribe()
	cases := []struct {
		number, context string
		cause           float64
		status          string
	}{
		{"+79001110001", "agents", 17, "BUSY"},
		{"+79001110002", "agents", 19, ""},
		{"nobody", "agents", 0, ""},
		{"+79001110003", "elsewhere", 0, ""},
	}
	for _, c := range cases {
		id := originateDialOut(a, c.number, c.context, 5)
		end := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id })
		if end["cause"] != c.cause {
			t.Errorf("%s@%s: half 1 cause %v, want %v", c.number, c.context, end["cause"], c.cause)
		}
		a.settle(s)
		evs := a.snapshot()
		if c.status != "" && indexOf(evs, func(e event) bool {
			return e.typ() == ari.TypeDial && peerID(e) == id && e["dialstatus"] == c.status
		}) < 0 {
			t.Errorf("%s@%s: no Dial %s on half 1", c.number, c.context, c.status)
		}
		if indexOf(evs, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id }) >= 0 {
			t.Errorf("%s@%s: half 1 entered Stasis", c.number, c.context)
		}
		if c.cause == 0 && indexOf(evs, func(e event) bool {
			ds := e.obj("device_state")
			return e.typ() == ari.TypeDeviceStateChanged && ds["state"] == "INVALID" && strings.Contains(ds["name"].(string), c.number)
		}) < 0 {
			t.Errorf("%s@%s: no INVALID device state", c.number, c.context)
		}
		noLiveChannels(t, a)
	}
}

// TestLocalDialContextAgent: Local/1001@agents rings agent 1001 as the
// dial context does; half 1 enters Stasis when the agent answers and ends
// when the agent hangs up.
func TestLocalDialContextAgent(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 14})
	defer s.Close()
	s.SetPhone("1001", Phone{AnswerAfter: time.Second, HangupAfter: 2 * time.Second})
	a := connectApp(t, s)
	ch := a.subscribe()
	id := originateDialOut(a, "1001", "agents", 30)
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id })
	end := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id })
	if end["cause"] != float64(16) {
		t.Errorf("half 1 cause %v, want 16", end["cause"])
	}
	a.settle(s)
	if indexOf(a.snapshot(), func(e event) bool {
		return e.typ() == ari.TypeChannelCreated && strings.HasPrefix(channelName(e), "PJSIP/1001-")
	}) < 0 {
		t.Error("agent 1001 was not dialled")
	}
	noLiveChannels(t, a)
}

// TestLocalDialContextCreateAndDial: a Local/<number>@agents channel
// created in the app and dialled later (POST /channels/{id}/dial) reaches
// the callee the same way; half 1 goes Up when the callee answers and
// ends when it hangs up.
func TestLocalDialContextCreateAndDial(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 15})
	defer s.Close()
	s.SetCallee("+79001234567", Phone{AnswerAfter: time.Second, HangupAfter: 2 * time.Second})
	a := connectApp(t, s)
	ch := a.subscribe()
	id := a.restID("POST", "/channels/create?app=hotline&appArgs=outbound&endpoint=Local%2F%2B79001234567%40agents", "")
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeStasisStart && chanID(e) == id })
	if st, body := a.rest("POST", "/channels/"+id+"/dial?timeout=20", ""); st != 204 {
		t.Fatalf("dial: %d %s", st, body)
	}
	up := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeDial && peerID(e) == id && e["dialstatus"] == "ANSWER" })
	if up.obj("peer")["state"] != "Up" {
		t.Errorf("half 1 is %v once answered, want Up", up.obj("peer")["state"])
	}
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id })
	a.settle(s)
	noLiveChannels(t, a)
}
