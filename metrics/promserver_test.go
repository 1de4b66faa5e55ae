package metrics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/deploy"
)

// promServer is a real Prometheus (Debian's prometheus package) run by a
// test, with its own configuration and storage in a temporary directory.
type promServer struct {
	t   *testing.T
	url string
}

// requireTool finds a tool's binary; without it the test is skipped, unless
// HOTLINE_TEST_REQUIRE_TOOLS is set (make test sets it), when it fails.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("HOTLINE_TEST_REQUIRE_TOOLS") != "" {
		t.Fatalf("%s is not installed (Debian package %s) and HOTLINE_TEST_REQUIRE_TOOLS is set", name, pkg)
	}
	t.Skipf("%s is not installed (apt-get install -y %s); set HOTLINE_TEST_REQUIRE_TOOLS to make this a failure", name, pkg)
	return ""
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startPrometheus runs Prometheus scraping target (host:port, /metrics,
// bearer token) every second, with the shipped rules.yml and alerts.yml
// evaluated every second too. It stops when the test ends.
func startPrometheus(t *testing.T, target, token string) *promServer {
	t.Helper()
	bin := requireTool(t, "prometheus", "prometheus")
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range []string{"prometheus/rules.yml", "prometheus/alerts.yml"} {
		b, err := fs.ReadFile(deploy.Files, f)
		if err != nil {
			t.Fatal(err)
		}
		// evaluated every second, so that a short test sees every rule run
		text := strings.ReplaceAll(string(b), "interval: 30s", "interval: 1s")
		p := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		rules = append(rules, p)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q, %q]
scrape_configs:
  - job_name: hotline
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: %q
    static_configs:
      - targets: [%q]
`, rules[0], rules[1], tokenFile, target)
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config.file="+cfgFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	p := &promServer{t: t, url: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-exited:
			t.Fatalf("prometheus exited:\n%s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30 s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sample is one series of an instant query's answer.
type sample struct {
	Metric map[string]string
	Value  float64
}

// query runs an instant PromQL query at time at (zero: now) and returns
// its vector; a query Prometheus refuses is an error.
func (p *promServer) query(expr string, at time.Time) ([]sample, error) {
	v := url.Values{"query": {expr}}
	if !at.IsZero() {
		v.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
	}
	var ans struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := p.get("/api/v1/query?"+v.Encode(), &ans); err != nil {
		return nil, err
	}
	if ans.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, ans.Error)
	}
	var out []sample
	switch ans.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(ans.Data.Result, &vec); err != nil {
			return nil, err
		}
		for _, s := range vec {
			f, err := strconv.ParseFloat(fmt.Sprint(s.Value[1]), 64)
			if err != nil {
				return nil, err
			}
			out = append(out, sample{Metric: s.Metric, Value: f})
		}
	case "scalar":
		var sc [2]any
		if err := json.Unmarshal(ans.Data.Result, &sc); err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(fmt.Sprint(sc[1]), 64)
		if err != nil {
			return nil, err
		}
		out = append(out, sample{Value: f})
	default:
		return nil, fmt.Errorf("query %s: result type %s", expr, ans.Data.ResultType)
	}
	return out, nil
}

// mustQuery is query that fails the test on an error.
func (p *promServer) mustQuery(expr string, at time.Time) []sample {
	p.t.Helper()
	out, err := p.query(expr, at)
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

// get decodes the JSON answer of a GET of the HTTP API.
func (p *promServer) get(path string, into any) error {
	resp, err := http.Get(p.url + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return nil
}

// ruleHealth returns every loaded rule's name, health and last error.
func (p *promServer) ruleHealth() (map[string]string, error) {
	var ans struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := p.get("/api/v1/rules", &ans); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, g := range ans.Data.Groups {
		for _, r := range g.Rules {
			out[r.Name] = strings.TrimSpace(r.Health + " " + r.LastError)
		}
	}
	return out, nil
}

// waitFor polls cond every 100 ms for up to 30 s.
func (p *promServer) waitFor(what string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
