package sip_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hsip "hotline/telephony/sip"
)

// fakeHotline answers the two API calls callgen checks, with call 1 logged
// and surveyed, call 2 logged without a survey answer, call 3 logged only
// after a few polls, and call 4 never logged.
func fakeHotline(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"title":"Unauthorized","status":401}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/calls":
			n := r.URL.Query().Get("number")
			items := []map[string]any{}
			logged := n == "+70000000001" || n == "+70000000002"
			if n == "+70000000003" && polls.Add(1) > 2 {
				logged = true
			}
			if logged {
				items = append(items, map[string]any{"caller": n, "outcome": "answered"})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "next_cursor": ""})
		case "/api/v1/survey-responses":
			if _, err := time.Parse(time.RFC3339, r.URL.Query().Get("from")); err != nil {
				t.Errorf("survey-responses from=%q", r.URL.Query().Get("from"))
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"responses": []map[string]any{
				{"caller": "+70000000001", "answers": []map[string]any{{"value": 4}}},
				{"caller": "+70000000002", "answers": []map[string]any{}},
				{"caller": "+70000000003", "answers": []map[string]any{{"value": 5}}},
			}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &polls
}

func TestCheckAPIPassFailTable(t *testing.T) {
	srv, _ := fakeHotline(t)
	now := time.Now()
	results := []hsip.Result{
		{N: 1, From: "+70000000001", Answered: true, Digits: "4", Started: now},
		{N: 3, From: "+70000000003", Answered: true, Digits: "5", Started: now}, // logged late
		{N: 2, From: "+70000000002", Answered: true, Digits: "4", Started: now},
		{N: 4, From: "+70000000004", Answered: true, Started: now},
		{N: 5, From: "+70000000005", Err: errors.New("invite: 486 Busy Here"), Started: now},
	}
	vs, err := hsip.CheckAPI(context.Background(), hsip.CheckOptions{BaseURL: srv.URL, Token: "tok", Wait: 2 * time.Second}, results)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, false, false, false}
	for i, v := range vs {
		if v.Passed() != want[i] {
			t.Errorf("call %d: passed %v, want %v (%+v)", v.N, v.Passed(), want[i], v)
		}
	}
	if vs[0].Outcome != "answered" || len(vs[0].Answers) != 1 || vs[0].Answers[0] != 4 {
		t.Errorf("call 1 verdict %+v", vs[0])
	}
	var buf bytes.Buffer
	if err := hsip.PrintTable(&buf, vs); !errors.Is(err, hsip.ErrSomeFailed) {
		t.Fatalf("PrintTable: %v", err)
	}
	out := buf.String()
	for _, s := range []string{"no survey answer stored", "call not in the call log", "486 Busy Here", "5 call(s): 2 passed, 3 failed"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
	buf.Reset()
	if err := hsip.PrintTable(&buf, vs[:1]); err != nil || !strings.Contains(buf.String(), "PASS") {
		t.Fatalf("all-pass table: %v\n%s", err, buf.String())
	}
}

func TestCheckAPIBadTokenIsAnError(t *testing.T) {
	srv, _ := fakeHotline(t)
	_, err := hsip.CheckAPI(context.Background(), hsip.CheckOptions{BaseURL: srv.URL, Token: "wrong"},
		[]hsip.Result{{N: 1, From: "+70000000001", Answered: true}})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong token: %v", err)
	}
	if _, err := hsip.CheckAPI(context.Background(), hsip.CheckOptions{BaseURL: "hotline:8080"}, nil); err == nil {
		t.Fatal("URL without scheme accepted")
	}
}
