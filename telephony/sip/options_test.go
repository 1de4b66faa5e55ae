package sip_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	hsip "hotline/telephony/sip"
)

// optionsServer answers OPTIONS with status on a loopback UDP port.
func optionsServer(t *testing.T, status int) string {
	t.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, status, map[int]string{200: "OK", 503: "Service Unavailable"}[status], nil))
	})
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { _ = conn.Close(); _ = srv.Close(); _ = ua.Close() })
	return "sip:127.0.0.1:" + strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port)
}

// silentServer reads and ignores every datagram.
func silentServer(t *testing.T) string {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, _, err := conn.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return "sip:1001@127.0.0.1:" + strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port)
}

func TestOptionsMonitor(t *testing.T) {
	eps := map[string]string{
		"PJSIP/1001": optionsServer(t, 200),
		"PJSIP/1002": optionsServer(t, 503),
		"PJSIP/1003": silentServer(t),
	}
	p, err := hsip.NewPinger("127.0.0.1", 700*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	reg := prometheus.NewRegistry()
	m, err := hsip.NewMonitor(p, eps, time.Hour, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m.ProbeAll(context.Background())
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("probes took %v: not concurrent or not timing out", d)
	}
	s := m.Snapshot()
	if r := s["PJSIP/1001"]; !r.Up || r.Status != 200 || r.RTT <= 0 || r.Err != nil {
		t.Errorf("answering endpoint: %+v", r)
	}
	if r := s["PJSIP/1002"]; r.Up || r.Status != 503 || r.Err == nil || !strings.Contains(r.Err.Error(), "503") {
		t.Errorf("503 endpoint: %+v", r)
	}
	if r := s["PJSIP/1003"]; r.Up || r.Status != 0 || r.Err == nil {
		t.Errorf("silent endpoint: %+v", r)
	}
	want := `
# HELP hotline_sip_endpoint_up 1 when the SIP endpoint answered its last OPTIONS probe below 500.
# TYPE hotline_sip_endpoint_up gauge
hotline_sip_endpoint_up{endpoint="PJSIP/1001"} 1
hotline_sip_endpoint_up{endpoint="PJSIP/1002"} 0
hotline_sip_endpoint_up{endpoint="PJSIP/1003"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hotline_sip_endpoint_up"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "hotline_sip_endpoint_rtt_seconds"); err != nil || n != 2 {
		t.Errorf("rtt series %d (want the two that answered): %v", n, err)
	}
	if r := p.Ping(context.Background(), "x", "not a uri"); r.Up || r.Err == nil {
		t.Errorf("bad URI: %+v", r)
	}
}
