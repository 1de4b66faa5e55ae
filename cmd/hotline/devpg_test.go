package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/internal/testneed"
)

// `make run` on a machine where PostgreSQL is installed but no server is
// running: serve --demo, pointed at a closed loopback port, starts a private
// cluster under var/pg beside the spool, serves the demo from it, and stops
// it when serve returns.
func TestServeDemoStartsPrivatePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a PostgreSQL cluster")
	}
	if _, _, ok := pgPrograms(); !ok {
		testneed.Missing(t, "PostgreSQL's programs (initdb, pg_ctl) are not installed: apt-get install -y postgresql")
	}
	closed, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// as root the cluster runs as the user postgres, who must reach it
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	spool := filepath.Join(dir, "var", "spool")
	vars := map[string]string{
		"HOTLINE_DATABASE_URL": "postgres://postgres@127.0.0.1:" + itoa(closed) + "/hotline?sslmode=disable",
		"HOTLINE_HTTP_ADDR":    "127.0.0.1:0", "HOTLINE_LOG_LEVEL": "warn", "HOTLINE_SPOOL_DIR": spool,
	}
	e, out, errOut := testEnv(vars, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--demo"}, e) }()
	var url string
	deadline := time.Now().Add(3 * time.Minute)
	for url == "" && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve --demo returned %v: %s %s", err, out, errOut)
		case <-time.After(100 * time.Millisecond):
		}
		if m := regexp.MustCompile(`running on (http://\S+)`).FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("serve did not start: %s %s", out, errOut)
	}
	waitReady(t, url)
	if !strings.Contains(out.String(), "LOGIN") {
		t.Errorf("no demo logins printed: %s", out)
	}
	m := regexp.MustCompile(`"addr":"(127\.0\.0\.1:\d+)"`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("serve did not say where the private PostgreSQL listens: %s", errOut)
	}
	private := m[1]
	if _, err := os.Stat(filepath.Join(dir, "var", "pg", "data", "PG_VERSION")); err != nil {
		t.Errorf("no cluster under var/pg: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
	if c, err := net.DialTimeout("tcp", private, time.Second); err == nil {
		c.Close()
		t.Errorf("the private PostgreSQL on %s still listens after serve stopped", private)
	}
}

// With no PostgreSQL server and none installed, serve --demo stops at once
// with one line saying how to get one.
func TestServeDemoWithoutPostgreSQL(t *testing.T) {
	defer func(f func() (string, string, bool)) { findPG = f }(findPG)
	findPG = func() (string, string, bool) { return "", "", false }
	closed, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(t.TempDir(), "spool")
	e, _, _ := testEnv(map[string]string{
		"HOTLINE_DATABASE_URL": "postgres://postgres@127.0.0.1:" + itoa(closed) + "/hotline?sslmode=disable",
		"HOTLINE_HTTP_ADDR":    "127.0.0.1:0", "HOTLINE_SPOOL_DIR": spool,
	}, "")
	err = run(context.Background(), []string{"serve", "--demo"}, e)
	if err == nil {
		t.Fatal("serve --demo started without PostgreSQL")
	}
	msg := err.Error()
	for _, want := range []string{"apt-get install postgresql", "docker compose -f deploy/compose.yaml up"} {
		if !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("error %q: want one line naming %q", msg, want)
		}
	}
	if _, err := os.Stat(filepath.Dir(spool) + "/pg"); err == nil {
		t.Error("a cluster directory was made without PostgreSQL")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// waitReady waits until the service at url answers /readyz with 200: serve
// prints its URL when it listens, and is ready once the simulated PBX's event
// socket is connected.
func waitReady(t *testing.T, url string) {
	t.Helper()
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
			last = res.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s/readyz: %s, want 200 OK", url, last)
}
