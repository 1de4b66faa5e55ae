package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	hsip "hotline/telephony/sip"
	"hotline/telephony/sip/sipptest"
)

// TestCallgenCommandAgainstSIPp runs `hotline callgen` as an administrator
// would against SIPp standing in for the Asterisk trunk: answered calls
// pass with their digits, a busy trunk fails the run with 486 in the table.
func TestCallgenCommandAgainstSIPp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sink := sipptest.NewRTPSink(t)
	trunk := sipptest.Start(t, sipptest.Options{Scenario: "answer", Calls: 2, Keys: sink.Keys()})
	e, out, errOut := testEnv(nil, "")
	err := run(ctx, []string{"callgen", "--target", trunk.URI("7001"), "--bind", "127.0.0.1",
		"--calls", "2", "--rate", "10", "--concurrency", "2", "--script", "ring,talk:300ms,dtmf:37,hangup"}, e)
	if err != nil {
		t.Fatalf("callgen: %v\n%s\n%s", err, out, errOut)
	}
	if err := trunk.Wait(5 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if !strings.Contains(out.String(), "2 call(s): 2 passed, 0 failed") || strings.Count(out.String(), " 37 ") != 2 {
		t.Fatalf("table:\n%s", out)
	}
	streams := sink.Streams()
	if len(streams) != 2 {
		t.Fatalf("RTP from %d calls, want 2", len(streams))
	}
	for _, st := range streams {
		if st.Digits() != "37" || st.Audio < 10 {
			t.Errorf("%s: SIPp's media address got digits %q and %d audio packets", st.From, st.Digits(), st.Audio)
		}
	}

	busy := sipptest.Start(t, sipptest.Options{Scenario: "reject", Status: "486 Busy Here"})
	e, out, _ = testEnv(nil, "")
	err = run(ctx, []string{"callgen", "--target", busy.URI("7001"), "--bind", "127.0.0.1", "--script", "ring:2s,hangup"}, e)
	if !errors.Is(err, hsip.ErrSomeFailed) || !strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "486") {
		t.Fatalf("busy trunk: %v\n%s", err, out)
	}
	if err := busy.Wait(5 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}
