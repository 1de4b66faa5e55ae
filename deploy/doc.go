// Package deploy holds Hotline's deployment files: Asterisk configuration
// samples (asterisk/), the compose stack and the Hotline image (compose.yaml,
// Dockerfile), Prometheus rules and Grafana provisioning and dashboards
// (prometheus/, grafana/) and Kubernetes manifests (k8s/). README.md is the
// administrator's guide.
//
// The Go code parses Asterisk's configuration format and checks an Asterisk
// configuration for what Hotline depends on (CheckAsterisk), so that
// `hotline check-config` can check both the shipped samples (Files) and an
// administrator's /etc/asterisk.
package deploy

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// Files are the shipped deployment files, embedded so that the binary can
// check the examples it was built with.
//
//go:embed asterisk compose.yaml env.example Dockerfile Dockerfile.dockerignore postgres prometheus grafana k8s
var Files embed.FS

// MetricsFile lists, one per line, every metric name the shipped Grafana
// dashboards and Prometheus rules query.
const MetricsFile = "grafana/METRICS.txt"

// DashboardMetrics returns the metric names listed in MetricsFile: the
// metrics package must export every one of them.
func DashboardMetrics() ([]string, error) {
	return readNames(Files, MetricsFile)
}

// readNames reads a file of one name per line, skipping blank lines and
// lines starting with '#'.
func readNames(fsys fs.FS, name string) ([]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return names, nil
}
