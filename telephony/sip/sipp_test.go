package sip_test

// Interop tests against SIPp, an independent SIP implementation, standing
// in for the Asterisk trunk callgen calls through and the phones the
// OPTIONS monitor probes. The scenarios live in sipptest/scenarios; SIPp's
// media address is the test's RTP sink, which decodes what callgen sends.
//
// What SIPp found, fixed in this package: digits sent back to back shared
// one RTP timestamp (Asterisk would hear "42" as "4"; dtmf.go), the INVITE
// had no Allow, and the OPTIONS probe had no Accept and came from
// "hotline-health@localhost".

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	hsip "hotline/telephony/sip"
	"hotline/telephony/sip/sipptest"
)

// Three concurrent calls answered by a SIPp trunk: the SIP dialog passes
// SIPp's checks, and the audio and digits reach its media address.
func TestCallgenAgainstSIPpTrunk(t *testing.T) {
	sink := sipptest.NewRTPSink(t)
	const calls = 3
	sipp := sipptest.Start(t, sipptest.Options{Scenario: "answer", Calls: calls, Keys: sink.Keys()})
	script, err := hsip.ParseScript("ring,talk:400ms,dtmf:42#,talk:200ms,hangup")
	if err != nil {
		t.Fatal(err)
	}
	g, err := hsip.NewGenerator(hsip.Options{
		Target: sipp.URI("7001"), From: "+7999200%04d", Rate: 20, Concurrency: calls, Calls: calls,
		Script: script, BindHost: "127.0.0.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	results := g.Run(ctx)
	if err := sipp.Wait(5 * time.Second); err != nil {
		t.Fatalf("SIPp (the trunk) saw a call break the scenario: %v", err)
	}
	for _, r := range results {
		if r.Err != nil || !r.Answered || r.RemoteHangup || r.Digits != "42#" {
			t.Errorf("call %d: %+v", r.N, r)
		}
		if !strings.Contains(sipp.Log(), "INVITE from "+r.From+" ") {
			t.Errorf("call %d: SIPp saw no INVITE from %s:\n%s", r.N, r.From, sipp.Log())
		}
	}
	streams := sink.Streams()
	if len(streams) != calls {
		t.Fatalf("RTP from %d senders, want %d: %+v", len(streams), calls, streams)
	}
	for _, st := range streams {
		// 600 ms of 20 ms PCMU packets, 160 bytes each, a tone.
		if st.Audio < 22 || st.AudioBytes != 160*st.Audio || st.Varied < st.Audio*9/10 || len(st.SSRCs) != 1 || st.Other != 0 {
			t.Errorf("%s: audio %d packets, %d bytes, %d varied, SSRCs %v, %d other", st.From, st.Audio, st.AudioBytes, st.Varied, st.SSRCs, st.Other)
		}
		t.Logf("%s: %d audio packets, events %+v", st.From, st.Audio, st.Events)
		checkDigits(t, st, "42#")
	}
}

// checkDigits checks a stream's RFC 4733 events as Asterisk reads them:
// the digits in order, each event its own, later timestamp (a repeated
// timestamp is taken for the same key press), a marker bit on its first
// packet, an end bit, and a duration a keypad would make (40 ms to 1 s);
// the media clock never going back.
func checkDigits(t *testing.T, st sipptest.Stream, want string) {
	t.Helper()
	if st.Digits() != want {
		t.Errorf("%s: digits %q, want %q", st.From, st.Digits(), want)
	}
	if st.Backwards != 0 {
		t.Errorf("%s: %d packets went back in RTP time", st.From, st.Backwards)
	}
	for i, e := range st.Events {
		if e.Duration < 320 || e.Duration > 8000 || e.Ends < 1 || e.Ends > 3 || !e.Marker || e.Packets < 3 {
			t.Errorf("%s: event %d (%c): duration %d samples, %d end packets of %d, marker %v", st.From, i, e.Digit, e.Duration, e.Ends, e.Packets, e.Marker)
		}
		if i > 0 {
			if prev := st.Events[i-1]; int32(e.Timestamp-prev.Timestamp) <= int32(prev.Duration) {
				t.Errorf("%s: event %d (%c) at RTP time %d, not after event %d (%c) at %d lasting %d", st.From, i, e.Digit, e.Timestamp, i-1, prev.Digit, prev.Timestamp, prev.Duration)
			}
		}
	}
}

// A trunk that answers 486 or 503: callgen reports the status, and ACKs it
// in the INVITE transaction.
func TestCallgenReportsSIPpRejections(t *testing.T) {
	for _, status := range []string{"486 Busy Here", "503 Service Unavailable"} {
		code, _, _ := strings.Cut(status, " ")
		t.Run(code, func(t *testing.T) {
			sipp := sipptest.Start(t, sipptest.Options{Scenario: "reject", Calls: 2, Status: status})
			g, err := hsip.NewGenerator(hsip.Options{Target: sipp.URI("7001"), Calls: 2, Rate: 20, Concurrency: 2, BindHost: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			results := g.Run(context.Background())
			if err := sipp.Wait(5 * time.Second); err != nil {
				t.Fatalf("SIPp: %v", err)
			}
			for _, r := range results {
				if r.Err == nil || r.Answered || !strings.Contains(r.Err.Error(), code) || r.Duration > 2*time.Second {
					t.Errorf("call %d rejected with %s: %+v", r.N, status, r)
				}
			}
		})
	}
}

// A call that rings past ring's timeout: callgen reports no answer and
// CANCELs the INVITE as SIPp expects.
func TestCallgenCancelsUnansweredSIPpCall(t *testing.T) {
	sipp := sipptest.Start(t, sipptest.Options{Scenario: "noanswer"})
	script, _ := hsip.ParseScript("ring:700ms,talk:1s")
	g, err := hsip.NewGenerator(hsip.Options{Target: sipp.URI("7001"), Script: script, BindHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	r := g.Run(context.Background())[0]
	if err := sipp.Wait(5 * time.Second); err != nil {
		t.Fatalf("SIPp saw no proper CANCEL of the unanswered call: %v", err)
	}
	if r.Err == nil || r.Answered || !strings.Contains(r.Err.Error(), "no answer") || r.Duration > 2*time.Second {
		t.Fatalf("unanswered call: %+v", r)
	}
}

// OPTIONS probes of a SIPp answering 200, one answering 503 and a port
// nobody listens on, through the monitor to its metrics.
func TestOptionsMonitorAgainstSIPp(t *testing.T) {
	up := sipptest.Start(t, sipptest.Options{Scenario: "options", Status: "200 OK"})
	unavailable := sipptest.Start(t, sipptest.Options{Scenario: "options", Status: "503 Service Unavailable"})
	eps := map[string]string{
		"PJSIP/1001": up.URI("1001"),
		"trunk":      unavailable.URI(""),
		"PJSIP/1003": "sip:1003@127.0.0.1:" + strconv.Itoa(sipptest.FreeUDPPort(t)), // nobody there
	}
	// No bind address, as `hotline serve` probes: From names the address
	// that routes to each endpoint.
	p, err := hsip.NewPinger("", 700*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	reg := prometheus.NewRegistry()
	m, err := hsip.NewMonitor(p, eps, time.Hour, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.ProbeAll(context.Background())
	for name, s := range map[string]*sipptest.SIPp{"PJSIP/1001": up, "trunk": unavailable} {
		if err := s.Wait(5 * time.Second); err != nil {
			t.Errorf("%s: SIPp found fault with the OPTIONS probe: %v", name, err)
		}
	}
	snap := m.Snapshot()
	if r := snap["PJSIP/1001"]; !r.Up || r.Status != 200 || r.RTT <= 0 || r.RTT > time.Second || r.Err != nil {
		t.Errorf("answering endpoint: %+v", r)
	}
	if r := snap["trunk"]; r.Up || r.Status != 503 || r.Err == nil || !strings.Contains(r.Err.Error(), "503") {
		t.Errorf("503 endpoint: %+v", r)
	}
	if r := snap["PJSIP/1003"]; r.Up || r.Status != 0 || r.Err == nil {
		t.Errorf("silent endpoint: %+v", r)
	}
	want := `
# HELP hotline_sip_endpoint_up 1 when the SIP endpoint answered its last OPTIONS probe below 500.
# TYPE hotline_sip_endpoint_up gauge
hotline_sip_endpoint_up{endpoint="PJSIP/1001"} 1
hotline_sip_endpoint_up{endpoint="PJSIP/1003"} 0
hotline_sip_endpoint_up{endpoint="trunk"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hotline_sip_endpoint_up"); err != nil {
		t.Error(err)
	}
	// The RTT series exists for the two that answered, with their RTT.
	if n, err := testutil.GatherAndCount(reg, "hotline_sip_endpoint_rtt_seconds"); err != nil || n != 2 {
		t.Errorf("rtt series %d (want the two that answered): %v", n, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "hotline_sip_endpoint_rtt_seconds" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			name := mt.GetLabel()[0].GetValue()
			if v := mt.GetGauge().GetValue(); v != snap[name].RTT.Seconds() || v <= 0 {
				t.Errorf("rtt of %s: %v, probe took %v", name, v, snap[name].RTT)
			}
		}
	}
}
