package aritest

import (
	"context"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// The status line (7010) is not recorded; it follows the recorded 7009
// flow (sip-inbound-app): the trunk channel enters Stasis while ringing,
// here with the argument "status", and the app owns it from then on.
func TestStatusLineEntersStasisWithItsArgument(t *testing.T) {
	s := New(Options{Speed: 20})
	defer s.Close()
	a := connectApp(t, s)
	events := a.subscribe()
	defer a.unsubscribe(events)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.InboundCall(ctx, Inbound{From: "+74951234567", Name: "Ivan Petrov", Exten: "7010", HangupAfter: 30 * time.Second})
		done <- err
	}()
	start, ok := waitFor(events, 10*time.Second, func(e event) bool { return e.typ() == ari.TypeStasisStart })
	if !ok {
		t.Fatal("no StasisStart for a call to the status line")
	}
	args, _ := start["args"].([]any)
	if len(args) != 1 || args[0] != "status" {
		t.Fatalf("StasisStart args = %v, want [status]", start["args"])
	}
	if st := start.obj("channel")["state"]; st != "Ring" {
		t.Errorf("channel state at StasisStart = %v, want Ring (the app answers)", st)
	}
	id := chanID(start)
	if code, body := a.rest("DELETE", "/channels/"+id, ""); code != 204 {
		t.Fatalf("hang up the status-line call: %d %s", code, body)
	}
	if err := <-done; err != nil {
		t.Fatalf("InboundCall: %v", err)
	}
}
