package aritest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// TestScenarioOutcomes covers the scenario helpers beyond the recordings:
// each row names the Dial statuses and final causes it must produce.
// Flows without a recording follow app_dial's documented behaviour
// (Dial NOANSWER after the timeout) and the README's notes (Stasis without
// a connected app fails at once).
func TestScenarioOutcomes(t *testing.T) {
	rows := []struct {
		name   string
		noApp  bool
		run    func(ctx context.Context, s *Server) error
		dials  string // Dial statuses in order, "" shown as -
		causes string // ChannelDestroyed causes in order
	}{
		{"outbound busy", false, func(ctx context.Context, s *Server) error {
			_, err := s.OutboundCall(ctx, Outbound{Callee: Phone{Busy: true}})
			return err
		}, "- BUSY", "17 17"},
		{"outbound no answer", false, func(ctx context.Context, s *Server) error {
			_, err := s.OutboundCall(ctx, Outbound{Callee: Phone{NeverAnswer: true}})
			return err
		}, "- RINGING NOANSWER", "19 19"},
		{"inbound 7002 rings out", false, func(ctx context.Context, s *Server) error {
			_, err := s.InboundCall(ctx, Inbound{Exten: "7002", Phones: map[string]Phone{"1001": {NeverAnswer: true}}})
			return err
		}, "- RINGING NOANSWER", "19 19"},
		{"internal callee hangs up", false, func(ctx context.Context, s *Server) error {
			_, err := s.InternalCall(ctx, Internal{From: "1002", To: "1001", Phones: map[string]Phone{"1001": {AnswerAfter: time.Second, HangupAfter: 2 * time.Second}}})
			return err
		}, "- RINGING ANSWER", "16 16"},
		{"survey without app", true, func(ctx context.Context, s *Server) error {
			_, err := s.InboundCall(ctx, Inbound{Phones: map[string]Phone{"1001": {AnswerAfter: time.Second, HangupAfter: 2 * time.Second}}})
			return err
		}, "- RINGING ANSWER", "16 16"},
		{"7009 without app", true, func(ctx context.Context, s *Server) error {
			_, err := s.InboundCall(ctx, Inbound{Exten: "7009"})
			return err
		}, "", "21"},
		{"agent digits while bridged", false, func(ctx context.Context, s *Server) error {
			_, err := s.InboundCall(ctx, Inbound{HangupAfter: 4 * time.Second, Phones: map[string]Phone{"1001": {AnswerAfter: time.Second, Digits: "9", DigitsAfter: time.Second}}})
			return err
		}, "- RINGING ANSWER", "16 16"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Speed: 100, Seed: 11})
			defer s.Close()
			if !r.noApp {
				connectApp(t, s)
			}
			// A second app name sees every event even when "hotline" is absent.
			obs := connectNamed(t, s, "observer")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := r.run(ctx, s); err != nil {
				t.Fatal(err)
			}
			obs.settle(s)
			var dials, causes []string
			for _, e := range obs.snapshot() {
				switch e.typ() {
				case ari.TypeDial:
					st := e["dialstatus"].(string)
					if st == "" {
						st = "-"
					}
					dials = append(dials, st)
				case ari.TypeChannelDestroyed:
					causes = append(causes, fmt.Sprint(e["cause"]))
				case ari.TypeChannelDtmfReceived:
					t.Error("DTMF between bridged SIP phones must not be reported")
				}
			}
			if got := strings.Join(dials, " "); got != r.dials {
				t.Errorf("Dial statuses %q, want %q", got, r.dials)
			}
			if got := strings.Join(causes, " "); got != r.causes {
				t.Errorf("causes %q, want %q", got, r.causes)
			}
		})
	}
}

// connectNamed connects an event socket for another application name.
func connectNamed(t *testing.T, s *Server, app string) *appClient {
	t.Helper()
	return connectAppName(t, s, app)
}
