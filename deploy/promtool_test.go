package deploy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/internal/testneed"
)

// With Debian's prometheus package installed, promtool checks the whole
// configuration as Prometheus loads it (the rules are also checked with
// Prometheus' Go parser in TestPrometheusRules, which needs no install).
func TestPromtoolChecksConfig(t *testing.T) {
	promtool := testneed.Tool(t, "promtool", "prometheus")
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
	for _, args := range [][]string{
		{"check", "config", cfg},
		{"check", "rules", "prometheus/alerts.yml", "prometheus/rules.yml"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, promtool, args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
