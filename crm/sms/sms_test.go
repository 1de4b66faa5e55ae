package sms_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"hotline/crm/notify"
	"hotline/crm/sms"
)

type call struct {
	method, path, rawQuery, body string
}

func gateway(t *testing.T, status int) (*httptest.Server, func() []call) {
	var mu sync.Mutex
	var calls []call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, call{r.Method, r.URL.Path, r.URL.RawQuery, string(b)})
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []call { mu.Lock(); defer mu.Unlock(); return append([]call(nil), calls...) }
}

const text = "Заявка №42: https://desk.example.ru/status/a&b=c"

// TestGetFillsTemplate: GET with the number and the text URL-escaped into
// the template, the rest of the template (an API key) kept.
func TestGetFillsTemplate(t *testing.T) {
	t.Parallel()
	srv, calls := gateway(t, http.StatusOK)
	g, err := sms.New(sms.Options{URL: srv.URL + "/send?key=K1&to={number}&msg={text}"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SendSMS(context.Background(), "+79123456789", text); err != nil {
		t.Fatal(err)
	}
	got := calls()
	if len(got) != 1 || got[0].method != http.MethodGet || got[0].path != "/send" {
		t.Fatalf("calls %+v", got)
	}
	q, err := url.ParseQuery(got[0].rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("key") != "K1" || q.Get("to") != "79123456789" || q.Get("msg") != text || len(q) != 3 {
		t.Fatalf("query %v", q)
	}
}

// TestPostSendsForm: POST sends the template's query as a form body.
func TestPostSendsForm(t *testing.T) {
	t.Parallel()
	srv, calls := gateway(t, http.StatusAccepted)
	g, err := sms.New(sms.Options{URL: srv.URL + "/api/sms?phone={number}&text={text}", Method: "post"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SendSMS(context.Background(), "+79123456789", text); err != nil {
		t.Fatal(err)
	}
	got := calls()
	if len(got) != 1 || got[0].method != http.MethodPost || got[0].path != "/api/sms" || got[0].rawQuery != "" {
		t.Fatalf("calls %+v", got)
	}
	f, _ := url.ParseQuery(got[0].body)
	if f.Get("phone") != "79123456789" || f.Get("text") != text {
		t.Fatalf("form %v", f)
	}
}

// TestGatewayAnswers: 4xx is permanent, 5xx worth retrying; errors never
// show the URL (it may hold a key).
func TestGatewayAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status    int
		permanent bool
	}{{http.StatusBadRequest, true}, {http.StatusTooManyRequests, false}, {http.StatusBadGateway, false}} {
		srv, _ := gateway(t, c.status)
		g, err := sms.New(sms.Options{URL: srv.URL + "/send?key=SECRETKEY&to={number}&msg={text}"})
		if err != nil {
			t.Fatal(err)
		}
		err = g.SendSMS(context.Background(), "+79123456789", "x")
		if err == nil || errors.Is(err, notify.ErrPermanent) != c.permanent || strings.Contains(err.Error(), "SECRETKEY") {
			t.Errorf("status %d: %v", c.status, err)
		}
	}
}

func TestNewRefusesBadTemplates(t *testing.T) {
	t.Parallel()
	for _, o := range []sms.Options{
		{URL: "ftp://sms.example.ru/?to={number}&t={text}"}, {URL: "https://sms.example.ru/?to={number}"},
		{URL: "https://sms.example.ru/?to={number}&t={text}", Method: "PUT"},
	} {
		if _, err := sms.New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
