// Package voicetest gives tests the speech synthesizer and a Voice on a
// real database and a real HTTP server.
package voicetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"hotline/internal/testneed"
	"hotline/telephony/voice"
)

// RequireTool returns the path of program, as testneed.Tool does.
func RequireTool(tb testing.TB, program, debianPackage string) string {
	tb.Helper()
	return testneed.Tool(tb, program, debianPackage)
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
