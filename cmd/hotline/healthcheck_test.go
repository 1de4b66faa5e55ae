package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// `hotline healthcheck` GETs /readyz (--live: /healthz) on this host's
// HOTLINE_HTTP_ADDR and exits 0 on 200, 1 on anything else, as a container
// health command must.
func TestHealthcheck(t *testing.T) {
	var ready atomic.Bool
	var paths atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths.Store(r.URL.Path)
		if r.URL.Path == "/healthz" || ready.Load() {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	check := func(addr string, args ...string) (int, string) {
		t.Helper()
		e, out, _ := testEnv(map[string]string{"HOTLINE_HTTP_ADDR": addr}, "")
		err := run(context.Background(), append([]string{"healthcheck"}, args...), e)
		var ex exitError
		switch {
		case err == nil:
			return 0, out.String()
		case errors.As(err, &ex):
			return ex.code, err.Error()
		}
		t.Fatalf("healthcheck: %v, want an exit code", err)
		return 0, ""
	}
	// ":port", as in a container, means this host
	if code, msg := check(":" + port); code != 1 || !strings.Contains(msg, "503") || paths.Load() != "/readyz" {
		t.Errorf("not ready: exit %d %q (path %v), want 1", code, msg, paths.Load())
	}
	if code, _ := check("0.0.0.0:"+port, "--live"); code != 0 || paths.Load() != "/healthz" {
		t.Errorf("--live: exit %d (path %v), want 0 from /healthz", code, paths.Load())
	}
	ready.Store(true)
	if code, out := check("127.0.0.1:" + port); code != 0 || !strings.HasPrefix(out, "ok: GET http://127.0.0.1:"+port+"/readyz") {
		t.Errorf("ready: exit %d %q, want 0", code, out)
	}
	srv.Close()
	if code, msg := check(":" + port); code != 1 || !strings.Contains(msg, "not healthy") {
		t.Errorf("nothing listening: exit %d %q, want 1", code, msg)
	}
}

// The process exit status is what Docker reads: 1 when not healthy.
func TestHealthcheckExitStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cmd := exec.Command(os.Args[0], "healthcheck")
	cmd.Env = append(os.Environ(), childEnv+"=1", "HOTLINE_HTTP_ADDR="+strings.TrimPrefix(srv.URL, "http://"))
	out, err := cmd.CombinedOutput()
	var ex *exec.ExitError
	if !errors.As(err, &ex) || ex.ExitCode() != 1 || !strings.Contains(string(out), "hotline: not healthy") {
		t.Errorf("exit %v, output %q; want status 1 and the reason", err, out)
	}
}

func TestLocalAddr(t *testing.T) {
	for in, want := range map[string]string{
		":8080": "127.0.0.1:8080", "0.0.0.0:8080": "127.0.0.1:8080", "[::]:8080": "[::1]:8080",
		"127.0.0.1:8080": "127.0.0.1:8080", "10.0.0.5:8080": "10.0.0.5:8080", "localhost:8080": "localhost:8080",
	} {
		if got := localAddr(in); got != want {
			t.Errorf("localAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
