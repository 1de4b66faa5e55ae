package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requirePromtool finds promtool (Debian package prometheus); without it the
// test is skipped, unless HOTLINE_TEST_REQUIRE_TOOLS is set, when it fails.
func requirePromtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	if os.Getenv("HOTLINE_TEST_REQUIRE_TOOLS") != "" {
		t.Fatal("promtool is not installed (Debian package prometheus) and HOTLINE_TEST_REQUIRE_TOOLS is set")
	}
	t.Skip("promtool not installed (apt-get install -y prometheus); rules are also checked by TestPrometheusRules")
	return ""
}

// runPromtool runs promtool with args and fails the test on an error.
func runPromtool(t *testing.T, promtool string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, promtool, args...).CombinedOutput()
	if err != nil {
		t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// With Debian's prometheus package installed, promtool checks the whole
// configuration as Prometheus loads it (the rules are also checked with
// Prometheus' Go parser in TestPrometheusRules, which needs no install).
func TestPromtoolChecksConfig(t *testing.T) {
	promtool := requirePromtool(t)
	here, err := filepath.Abs("prometheus")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	// rule_files and the scrape token name paths inside the container;
	// point them here.
	tmp := t.TempDir()
	token := filepath.Join(tmp, "hotline_metrics_token")
	if err := os.WriteFile(token, []byte("test-metrics-token-0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "/etc/prometheus/", here+"/")
	text = strings.ReplaceAll(text, "/run/secrets/hotline_metrics_token", token)
	cfg := filepath.Join(tmp, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, promtool, "check", "config", cfg)
	runPromtool(t, promtool, "check", "rules", "prometheus/alerts.yml", "prometheus/rules.yml")
}

// promtool parses every dashboard query, each written as a recording rule
// of a scratch rules file (metrics/TestPrometheusCountsEveryCall also runs
// them on a real Prometheus).
func TestPromtoolParsesDashboards(t *testing.T) {
	promtool := requirePromtool(t)
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboards\n    rules:\n")
	n := 0
	for f, d := range loadDashboards(t) {
		walkPanels(d.Panels, func(p panel) {
			for _, tg := range p.Targets {
				if tg.Expr == "" {
					continue
				}
				n++
				q, _ := json.Marshal(grafanaVars.Replace(tg.Expr)) // a JSON string is a YAML string
				fmt.Fprintf(&b, "      # %s: %s\n      - record: dashboard:query_%d\n        expr: %s\n", filepath.Base(f), p.Title, n, q)
			}
		})
	}
	if n == 0 {
		t.Fatal("no dashboard queries")
	}
	file := filepath.Join(t.TempDir(), "dashboards.yml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, promtool, "check", "rules", file)
}
