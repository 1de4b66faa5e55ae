// Package sms sends text messages through an HTTP gateway, as Russian SMS
// providers offer: a URL template with {number} and {text}, called with GET,
// or with POST sending the template's query as a form. It is the adapter
// behind notify.SMSSender.
package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hotline/crm/notify"
)

// Options configure a Gateway. URL is required.
type Options struct {
	// URL is the template, e.g. https://sms.example.ru/send?to={number}&msg={text}&key=…
	// {number} becomes the E.164 number without "+", {text} the message;
	// both URL-escaped.
	URL string
	// Method is GET (default) or POST (the query goes as a form body).
	Method string
	Client *http.Client // 15s timeout when nil
}

// Gateway sends SMS through one HTTP gateway.
type Gateway struct {
	o    Options
	host string
}

var _ notify.SMSSender = (*Gateway)(nil)

// New checks the template and returns a Gateway.
func New(o Options) (*Gateway, error) {
	u, err := url.Parse(strings.ReplaceAll(strings.ReplaceAll(o.URL, "{number}", "0"), "{text}", "x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("want an http(s) URL such as https://sms.example.ru/send?to={number}&text={text}")
	}
	if !strings.Contains(o.URL, "{number}") || !strings.Contains(o.URL, "{text}") {
		return nil, errors.New("the URL must contain {number} and {text}")
	}
	switch o.Method = strings.ToUpper(o.Method); o.Method {
	case "":
		o.Method = http.MethodGet
	case http.MethodGet, http.MethodPost:
	default:
		return nil, errors.New("method must be GET or POST")
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 15 * time.Second}
	}
	return &Gateway{o: o, host: u.Host}, nil
}

// SendSMS sends text to number. A 4xx answer (but 408 and 429) is
// permanent; other failures are worth retrying. Errors name the gateway's
// host only: its URL may hold an API key.
func (g *Gateway) SendSMS(ctx context.Context, number, text string) error {
	target := strings.NewReplacer("{number}", url.QueryEscape(strings.TrimPrefix(number, "+")),
		"{text}", url.QueryEscape(text)).Replace(g.o.URL)
	var req *http.Request
	var err error
	if g.o.Method == http.MethodPost {
		base, form, _ := strings.Cut(target, "?")
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base, strings.NewReader(form))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	}
	if err != nil {
		return notify.Permanent(fmt.Errorf("sms gateway %s: bad request", g.host))
	}
	resp, err := g.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("sms gateway %s: unreachable", g.host)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return notify.Permanent(fmt.Errorf("sms gateway %s refused: %s", g.host, resp.Status))
	default:
		return fmt.Errorf("sms gateway %s: %s", g.host, resp.Status)
	}
}
