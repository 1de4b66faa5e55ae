package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony/ari/aritest"
)

// TestClickToCallFailureReachesTheAgent wires the service as serve does,
// against a simulated PBX whose dialplan has no context named like
// Hotline's dial context (a FreePBX names it from-internal): the agent
// clicks Call, the phone rings and answers, the PBX hangs it up at once;
// within seconds the agent's console gets the card with the reason, and
// the call log has a failed outbound call to the number.
func TestClickToCallFailureReachesTheAgent(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	const login, password = "olga", "olga-long-password"
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: login, Name: "Olga", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}}, password); err != nil {
		t.Fatal(err)
	}
	sim := aritest.New(aritest.Options{ChannelVarsLinkedID: true, DialContext: "from-internal"})
	defer sim.Close()
	sim.SetPhone("1001", aritest.Phone{AnswerAfter: 300 * time.Millisecond})

	cfg := Config{DatabaseURL: dsn, ARIURL: sim.URL(), ARIUser: "hotline", ARIPassword: "hotline-secret", ARIApp: "hotline",
		PhoneRegion: "RU", SpoolDir: t.TempDir(), Dialplan: DialplanNames{DialContext: "agents"}}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.DiscardHandler), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range svc.components {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(runCtx) }()
	}
	defer func() { cancel(); wg.Wait() }()

	hc, csrf := signIn(t, srv.URL, login, password)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	conn, _, err := websocket.Dial(wctx, "ws"+strings.TrimPrefix(srv.URL, "http")+httpapi.ConsoleSocketPath, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for !sim.Connected("hotline") {
		if wctx.Err() != nil {
			t.Fatal("Hotline never connected to the simulated PBX")
		}
		time.Sleep(10 * time.Millisecond)
	}

	body := strings.NewReader(`{"number": "8 (495) 765-43-21"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/calls", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var placed struct {
		ChannelID string `json:"channel_id"`
	}
	_ = json.NewDecoder(res.Body).Decode(&placed)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || placed.ChannelID == "" {
		t.Fatalf("POST /api/v1/calls: %s %+v", res.Status, placed)
	}
	clicked := time.Now()

	for {
		_, data, err := conn.Read(wctx)
		if err != nil {
			t.Fatalf("no failure on the console: %v", err)
		}
		var pop struct {
			Type, CallID, State string
			ClickToCall         bool   `json:"click_to_call"`
			Failure             string `json:"failure"`
			FailureText         string `json:"failure_text"`
		}
		if json.Unmarshal(data, &pop) != nil || pop.Type != "pop" || pop.Failure == "" {
			continue
		}
		// in the centre's language (Russian), the number as people write it
		if pop.Failure != "no_route" || !pop.ClickToCall || !strings.Contains(pop.FailureText, "HOTLINE_DIAL_CONTEXT") ||
			!strings.Contains(pop.FailureText, "+7 495 765-43-21") || !strings.Contains(pop.FailureText, "не состоялся") {
			t.Fatalf("console pop %s", data)
		}
		if d := time.Since(clicked); d > 5*time.Second {
			t.Errorf("the failure reached the console %v after the click", d)
		}
		break
	}

	// The call log says the same: a failed outbound call to the number.
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := hc.Get(srv.URL + "/api/v1/calls?number=" + url.QueryEscape("+74957654321"))
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []struct {
				LinkedID  string `json:"linkedid"`
				Direction string `json:"direction"`
				Outcome   string `json:"outcome"`
				Customer  string `json:"customer"`
				Agent     string `json:"agent"`
			} `json:"items"`
		}
		_ = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if len(page.Items) == 1 && page.Items[0].Outcome != "" {
			c := page.Items[0]
			if c.LinkedID != placed.ChannelID || c.Direction != "outbound" || c.Outcome != "failed" || c.Customer != "+74957654321" || c.Agent != login {
				t.Fatalf("call log: %+v", c)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failed call never reached the call log: %+v", page)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signIn logs in with a password, as the browser console does, and returns
// the client with the session cookie and the CSRF token.
func signIn(t *testing.T, base, login, password string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	b, _ := json.Marshal(map[string]string{"login": login, "password": password})
	res, err := hc.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != http.StatusOK || out.CSRF == "" {
		t.Fatalf("login: %s", res.Status)
	}
	return hc, out.CSRF
}
