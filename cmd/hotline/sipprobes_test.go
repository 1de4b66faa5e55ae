package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

func TestSIPProbesSetting(t *testing.T) {
	var c Config
	if err := checkSIPProbes("trunk=sip:10.0.0.5:5060, sip:10.0.0.6", &c); err != nil {
		t.Fatal(err)
	}
	if c.SIPProbes["trunk"] != "sip:10.0.0.5:5060" || c.SIPProbes["sip:10.0.0.6"] != "sip:10.0.0.6" {
		t.Errorf("parsed %v", c.SIPProbes)
	}
	for _, bad := range []string{"trunk=http://x", "bad name=sip:x", "=sip:x"} {
		if err := checkSIPProbes(bad, &Config{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A phone that does not answer OPTIONS shows as down on /metrics of the
// service wired as serve wires it, and its agent as offline on the wallboard.
func TestSIPProbeOfASilentPhoneIsExportedAsDown(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "olga", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}}, "password-olga"); err != nil {
		t.Fatal(err)
	}
	boss, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "boss", Role: crm.RoleSupervisor}, "password-boss")
	if err != nil {
		t.Fatal(err)
	}
	token, hash := auth.NewToken()
	if _, err := st.Users.CreateAPIToken(ctx, boss.ID, "wallboard", hash); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir(),
		SIPProbes: map[string]string{"PJSIP/1001": "sip:" + silent.LocalAddr().String()}}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	var probes *component
	for i := range svc.components {
		if svc.components[i].Name == "SIP probes" {
			probes = &svc.components[i]
		}
	}
	if probes == nil {
		t.Fatal("no SIP probes component although HOTLINE_SIP_PROBES is set")
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- probes.Run(runCtx) }()
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	metricsSrv := httptest.NewServer(metricsMux(svc.metrics))
	defer metricsSrv.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(metricsSrv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), `hotline_sip_endpoint_up{endpoint="PJSIP/1001"} 0`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the silent phone is not reported down; /metrics has:\n%s", grepLines(string(body), "hotline_sip"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/wallboard", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var board struct {
		Agents []struct{ Login, State string }
	}
	err = json.NewDecoder(resp.Body).Decode(&board)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var state string
	for _, a := range board.Agents {
		if a.Login == "olga" {
			state = a.State
		}
	}
	if state != "offline" {
		t.Errorf("olga's phone does not answer, wallboard state = %q, want offline (%+v)", state, board.Agents)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("probes: %v", err)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
