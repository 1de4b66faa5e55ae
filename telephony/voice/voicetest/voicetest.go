// Package voicetest gives tests the speech synthesizer and a Voice on a
// real database and a real HTTP server.
package voicetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"

	"hotline/telephony/voice"
)

// RequireTool returns the path of program, skipping the test when it is
// missing, unless HOTLINE_TEST_REQUIRE_TOOLS is set (make test, CI), where
// a missing tool fails the test.
func RequireTool(tb testing.TB, program, debianPackage string) string {
	tb.Helper()
	p, err := exec.LookPath(program)
	if err == nil {
		return p
	}
	if os.Getenv("HOTLINE_TEST_REQUIRE_TOOLS") != "" {
		tb.Fatalf("%s is required (HOTLINE_TEST_REQUIRE_TOOLS is set): apt-get install -y %s", program, debianPackage)
	}
	tb.Skipf("%s is not installed (apt-get install -y %s); set HOTLINE_TEST_REQUIRE_TOOLS to make this a failure", program, debianPackage)
	return ""
}

// Espeak returns the default synthesizer command, espeak-ng.
func Espeak(tb testing.TB) *voice.Command {
	tb.Helper()
	RequireTool(tb, "espeak-ng", "espeak-ng")
	c, err := voice.ParseCommand(voice.DefaultCommand)
	if err != nil {
		tb.Fatal(err)
	}
	c.TempDir = tb.TempDir()
	return c
}

// Serve starts an HTTP server for the media of a Voice built on store with
// espeak-ng; it returns the Voice and the server's URL (its media base).
func Serve(tb testing.TB, store voice.Store) (*voice.Voice, string) {
	tb.Helper()
	synth := Espeak(tb)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	v, err := voice.New(context.Background(), voice.Options{Store: store, Synth: synth, BaseURL: srv.URL})
	if err != nil {
		tb.Fatal(err)
	}
	mux.Handle(voice.MediaPath, v.Handler())
	return v, srv.URL
}
