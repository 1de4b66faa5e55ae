package sip

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CheckOptions say where Hotline's API is and how long to wait for the
// call log to catch up.
type CheckOptions struct {
	// BaseURL is Hotline's address, e.g. http://hotline:8080.
	BaseURL string
	// Token is a bearer API token of a supervisor or admin (survey
	// responses need that role).
	Token string
	// Wait is how long to retry a call that is not logged yet (default 30s).
	Wait   time.Duration
	Client *http.Client
}

// Verdict is the API check of one generated call.
type Verdict struct {
	Result
	Logged    bool   // GET /api/v1/calls?number=From found it
	Outcome   string // the logged call's outcome
	Survey    bool   // a survey response from From has an answer (when digits were sent)
	Answers   []int  // that response's answer values
	Problem   string // why it failed; empty when it passed
	CheckedAt time.Time
}

// Passed reports whether the call was placed, logged and (when it sent
// digits) its survey answer stored.
func (v Verdict) Passed() bool { return v.Problem == "" }

// CheckAPI looks up every answered call through Hotline's API: the call
// log by the caller's number, and, for calls that sent digits, the survey
// response from that number. It returns one Verdict per result.
func CheckAPI(ctx context.Context, opts CheckOptions, results []Result) ([]Verdict, error) {
	if opts.Wait <= 0 {
		opts.Wait = 30 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 15 * time.Second}
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("check API: %q: want http(s)://host:port", opts.BaseURL)
	}
	c := apiClient{base: base, token: opts.Token, http: opts.Client}
	since := time.Now()
	for _, r := range results {
		if !r.Started.IsZero() && r.Started.Before(since) {
			since = r.Started
		}
	}
	out := make([]Verdict, len(results))
	deadline := time.Now().Add(opts.Wait)
	for i, r := range results {
		out[i] = Verdict{Result: r}
		if r.Err != nil || !r.Answered {
			out[i].Problem = "call not completed: " + errText(r.Err)
			continue
		}
		for {
			err := c.verify(ctx, &out[i], since.Add(-time.Minute))
			if err != nil {
				return nil, err
			}
			if out[i].Problem == "" || time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
		}
		out[i].CheckedAt = time.Now()
	}
	return out, nil
}

func errText(err error) string {
	if err == nil {
		return "not answered"
	}
	return err.Error()
}

type apiClient struct {
	base, token string
	http        *http.Client
}

// verify fills v's checks; an error means the API itself cannot be used.
func (c apiClient) verify(ctx context.Context, v *Verdict, since time.Time) error {
	var calls struct {
		Items []struct {
			Outcome string `json:"outcome"`
		} `json:"items"`
	}
	if err := c.get(ctx, "/api/v1/calls?number="+url.QueryEscape(v.From), &calls); err != nil {
		return err
	}
	v.Logged = len(calls.Items) > 0
	v.Problem = ""
	if !v.Logged {
		v.Problem = "call not in the call log"
		return nil
	}
	v.Outcome = calls.Items[0].Outcome
	if v.Digits == "" {
		return nil
	}
	var resp struct {
		Responses []struct {
			Caller  string `json:"caller"`
			Answers []struct {
				Value int `json:"value"`
			} `json:"answers"`
		} `json:"responses"`
	}
	q := url.Values{"from": {since.UTC().Format(time.RFC3339)}}
	if err := c.get(ctx, "/api/v1/survey-responses?"+q.Encode(), &resp); err != nil {
		return err
	}
	for _, r := range resp.Responses {
		if r.Caller == v.From && len(r.Answers) > 0 {
			v.Survey = true
			v.Answers = v.Answers[:0]
			for _, a := range r.Answers {
				v.Answers = append(v.Answers, a.Value)
			}
		}
	}
	if !v.Survey {
		v.Problem = "no survey answer stored"
	}
	return nil
}

func (c apiClient) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return fmt.Errorf("check API: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("check API: GET %s: %w", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("check API: GET %s: %s: %s", path, res.Status, strings.TrimSpace(string(body[:min(len(body), 300)])))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("check API: GET %s: %w", path, err)
	}
	return nil
}

// PrintTable writes one line per call and a summary; it returns
// ErrSomeFailed when a call did not pass.
func PrintTable(w io.Writer, verdicts []Verdict) error {
	fmt.Fprintf(w, "%-4s %-16s %-8s %-7s %-12s %-8s %-6s %s\n", "#", "from", "answered", "digits", "logged", "survey", "result", "problem")
	failed := 0
	for _, v := range verdicts {
		res := "PASS"
		if !v.Passed() {
			res, failed = "FAIL", failed+1
		}
		logged := "no"
		if v.Logged {
			logged = "yes " + v.Outcome
		}
		survey := "-"
		if v.Digits != "" {
			survey = fmt.Sprint(v.Survey)
			if v.Survey {
				survey = fmt.Sprint(v.Answers)
			}
		}
		fmt.Fprintf(w, "%-4d %-16s %-8v %-7s %-12s %-8s %-6s %s\n", v.N, v.From, v.Answered, v.Digits, logged, survey, res, v.Problem)
	}
	fmt.Fprintf(w, "%d call(s): %d passed, %d failed\n", len(verdicts), len(verdicts)-failed, failed)
	if failed > 0 {
		return ErrSomeFailed
	}
	return nil
}
