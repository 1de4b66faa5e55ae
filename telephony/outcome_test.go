package telephony

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		f    outcomeFacts
		want Outcome
	}{
		{"answered by agent", outcomeFacts{Answered: true, Direction: Inbound, Cause: 16}, OutcomeAnswered},
		{"answered then caller hung up", outcomeFacts{Answered: true, CallerHungUp: true}, OutcomeAnswered},
		{"agent busy 486", outcomeFacts{Direction: Inbound, DialStatus: "BUSY", Cause: 17}, OutcomeBusy},
		{"busy by cause only", outcomeFacts{Direction: Outbound, Cause: 17}, OutcomeBusy},
		{"inbound caller cancels while ringing", outcomeFacts{Direction: Inbound, CallerHungUp: true, DialStatus: "CANCEL", Cause: 127, Rang: true}, OutcomeAbandoned},
		{"inbound caller leaves queue", outcomeFacts{Direction: Inbound, CallerHungUp: true, Cause: 16}, OutcomeAbandoned},
		{"inbound dial timeout", outcomeFacts{Direction: Inbound, DialStatus: "NOANSWER", Cause: 16, Rang: true}, OutcomeNoAnswer},
		{"originate timeout cause 19", outcomeFacts{Direction: Outbound, Cause: 19, Rang: true}, OutcomeNoAnswer},
		{"outbound agent gives up", outcomeFacts{Direction: Outbound, CallerHungUp: true, DialStatus: "CANCEL", Cause: 16, Rang: true}, OutcomeNoAnswer},
		{"unreachable endpoint", outcomeFacts{Direction: Outbound, DialStatus: "CHANUNAVAIL", Cause: 20}, OutcomeFailed},
		{"congestion", outcomeFacts{Direction: Inbound, DialStatus: "CONGESTION", Cause: 34}, OutcomeFailed},
		{"declined by dialplan without ringing", outcomeFacts{Direction: Inbound, Cause: 21}, OutcomeFailed},
		{"unanswered, never rang, normal clearing", outcomeFacts{Direction: Inbound, Cause: 16}, OutcomeFailed},
		{"rang then system cleared", outcomeFacts{Direction: Internal, Cause: 16, Rang: true}, OutcomeNoAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.f); got != tt.want {
				t.Errorf("classify(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}
