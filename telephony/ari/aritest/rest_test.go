package aritest

import (
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// TestRESTResources: info, endpoints, applications and hangup causes.
func TestRESTResources(t *testing.T) {
	s := New(Options{Speed: 20, Seed: 13})
	defer s.Close()
	a := &appClient{t: t, srv: s}
	if st, body := a.rest("GET", "/applications/hotline", ""); st != 404 {
		t.Errorf("app without a socket: %d %s", st, body)
	}
	a = connectApp(t, s)
	if st, body := a.rest("GET", "/asterisk/info", ""); st != 200 || !strings.Contains(body, `"version":"22.10.1"`) {
		t.Errorf("info: %d %s", st, body)
	}
	if st, body := a.rest("GET", "/endpoints", ""); st != 200 || !strings.Contains(body, `"resource":"1001"`) || !strings.Contains(body, `"resource":"pstn"`) {
		t.Errorf("endpoints: %d %s", st, body)
	}
	if st, body := a.rest("GET", "/applications", ""); st != 200 || !strings.Contains(body, `"name":"hotline"`) {
		t.Errorf("applications: %d %s", st, body)
	}
	ch := a.subscribe()
	id := a.restID("POST", "/channels/create?app=hotline&endpoint=Local%2Ftalk%40sim-customer", "")
	if st, _ := a.rest("DELETE", "/channels/"+id+"?reason_code=21", ""); st != 204 {
		t.Fatalf("hangup with reason_code: %d", st)
	}
	e := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id })
	if e["cause"] != float64(21) || e["cause_txt"] != "Call Rejected" {
		t.Errorf("destroyed with %v %v, want 21 Call Rejected", e["cause"], e["cause_txt"])
	}
	bridge := a.restID("POST", "/bridges?type=mixing", "")
	if st, body := a.rest("POST", "/bridges/"+bridge+"/play?media=sound%3Att-monkeys&playbackId=pb-b", ""); st != 201 || jsonField(body, "state") != "queued" {
		t.Fatalf("bridge playback: %d %s", st, body)
	}
	if st, body := a.rest("GET", "/playbacks/pb-b", ""); st != 200 || jsonField(body, "state") != "playing" {
		t.Errorf("GET playing playback: %d %s", st, body)
	}
	if st, _ := a.rest("DELETE", "/playbacks/pb-b", ""); st != 204 {
		t.Errorf("stop playback: %d", st)
	}
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypePlaybackFinished && e.obj("playback")["id"] == "pb-b" })
	if st, _ := a.rest("GET", "/playbacks/pb-b", ""); st != 404 {
		t.Errorf("stopped playback still found: %d", st)
	}
	time.Sleep(10 * time.Millisecond)
}
