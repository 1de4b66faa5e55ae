package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
)

// fakeEndpoints is a user directory that fails when err is set.
type fakeEndpoints struct {
	endpoints map[string]string
	err       error
}

func (f *fakeEndpoints) ListAgentEndpoints(context.Context) (map[string]string, error) {
	return f.endpoints, f.err
}

// While PostgreSQL is down the metrics keep the agents they knew: an empty
// roster would count every agent's calls as "unknown" until it is back.
func TestRosterAgentsKeepTheLastListOnError(t *testing.T) {
	dir := &fakeEndpoints{endpoints: map[string]string{"PJSIP/1001": "anna", "PJSIP/1002": "boris", "PJSIP/1003": "anna"}}
	r := &rosterAgents{st: dir, log: slog.New(slog.DiscardHandler)}
	if got := r.Agents(); !slices.Equal(got, []string{"anna", "boris"}) {
		t.Fatalf("agents = %v", got)
	}
	dir.err = errors.New("connection refused")
	if got := r.Agents(); !slices.Equal(got, []string{"anna", "boris"}) {
		t.Errorf("agents while the directory fails = %v, want the last list", got)
	}
	dir.err, dir.endpoints = nil, map[string]string{"PJSIP/1002": "boris"}
	if got := r.Agents(); !slices.Equal(got, []string{"boris"}) {
		t.Errorf("agents after the outage = %v", got)
	}
}
