// Package telephony holds Hotline's call model and the call tracker: ARI
// events from each Asterisk node come in, one exact call record per call
// (per linkedid) and domain events for screen pops, surveys and metrics go
// out. Storage and transport stay outside: the tracker writes through the
// CallStore and Journal interfaces it declares, and reads Asterisk state
// through Channels.
package telephony

import "time"

// Direction says who started a call relative to the call centre.
type Direction string

// The call directions.
const (
	Inbound  Direction = "inbound"  // an outside party called in
	Outbound Direction = "outbound" // an agent (or Hotline) called out
	Internal Direction = "internal" // agent to agent, or agent to an internal service
)

// Outcome is how a call ended from the customer's point of view.
type Outcome string

// The call outcomes.
const (
	OutcomeInProgress Outcome = ""          // not ended yet
	OutcomeAnswered   Outcome = "answered"  // someone (an agent, a callee, an app) answered
	OutcomeNoAnswer   Outcome = "no_answer" // rang and nobody answered before the timeout
	OutcomeBusy       Outcome = "busy"      // the called side was busy
	OutcomeFailed     Outcome = "failed"    // could not be connected (unavailable, congestion, declined)
	OutcomeAbandoned  Outcome = "abandoned" // an inbound caller hung up before an answer
)

// Party names who ended a call.
type Party string

// The parties that can end a call.
const (
	PartyCaller Party = "caller" // the party who started the call (a customer, inbound)
	PartyCallee Party = "callee" // a called party that is not an agent (outbound)
	PartyAgent  Party = "agent"  // an agent's endpoint
	PartySystem Party = "system" // Asterisk or an application (timeouts, IVR, hangup by Hotline)
)

// Call is the record of one call: every channel that shares a linkedid on
// one Asterisk node, with consultation calls of attended transfers folded
// in. Durations are in seconds with millisecond precision, computed from
// Asterisk's event timestamps.
type Call struct {
	ID         int64     `json:"id,omitempty"`        // set by the store
	ClientID   *int64    `json:"client_id,omitempty"` // set by the store from the customer number
	LinkedID   string    `json:"linkedid"`
	Node       string    `json:"node"`
	Direction  Direction `json:"direction"`
	Outcome    Outcome   `json:"outcome"`
	Caller     string    `json:"caller"` // E.164 where possible, as dialled otherwise
	CallerName string    `json:"caller_name,omitempty"`
	Callee     string    `json:"callee"` // E.164 where possible, as dialled otherwise
	// Customer is the outside party's number (caller when inbound, callee
	// when outbound, "" for internal calls): the number a client is found by.
	Customer string   `json:"customer,omitempty"`
	Agent    string   `json:"agent,omitempty"` // login of the agent who talked last
	Agents   []string `json:"agents"`          // every agent who rang or talked, in order

	StartedAt  time.Time  `json:"started_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`

	WaitSeconds float64 `json:"wait_seconds"` // start until answer (or end when unanswered)
	RingSeconds float64 `json:"ring_seconds"` // first ring until answer (or end of ringing)
	TalkSeconds float64 `json:"talk_seconds"` // bridged with another party, hold excluded
	HoldSeconds float64 `json:"hold_seconds"` // on hold

	HangupCause     int    `json:"hangup_cause"` // Q.850 cause of the channel that ended the call
	HangupCauseText string `json:"hangup_cause_text,omitempty"`
	HangupBy        Party  `json:"hangup_by,omitempty"`

	Transfers              []Transfer `json:"transfers"`
	ClosedByReconciliation bool       `json:"closed_by_reconciliation"`
	// Gaps counts the event-stream gaps (reconnects, restarts) the call
	// lived through or started in: a record with gaps is the best known,
	// not necessarily exact.
	Gaps int `json:"gaps"`
	// MergedInto is set on a consultation call that became part of another
	// call (attended transfer); such a record is kept only for idempotency.
	MergedInto string `json:"merged_into,omitempty"`

	Legs []Leg `json:"legs"`
}

// Ended reports whether the call is over.
func (c *Call) Ended() bool { return c.EndedAt != nil }

// Transfer is one hand-over of a call to another party.
type Transfer struct {
	Kind string    `json:"kind"` // "blind" or "attended"
	At   time.Time `json:"at"`
	From string    `json:"from"` // agent login (or endpoint) who transferred
	To   string    `json:"to"`   // agent login, or the extension dialled
	// ConsultLinkedID is the linkedid of the consultation call that was
	// folded into this one (attended transfers).
	ConsultLinkedID string `json:"consult_linkedid,omitempty"`
}

// Leg is one channel of a call.
type Leg struct {
	ChannelID  string     `json:"channel_id"`
	Name       string     `json:"name"`
	Endpoint   string     `json:"endpoint"` // e.g. "PJSIP/1001"
	Agent      string     `json:"agent,omitempty"`
	Number     string     `json:"number,omitempty"` // the channel's own caller id number
	Context    string     `json:"context,omitempty"`
	Exten      string     `json:"exten,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	RingingAt  *time.Time `json:"ringing_at,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	DialStatus string     `json:"dial_status,omitempty"` // last Dial status towards this leg
	Cause      int        `json:"cause"`
	CauseText  string     `json:"cause_text,omitempty"`
	Talked     bool       `json:"talked"` // was bridged with another party
}

// CallFilter selects calls from the call log; zero fields do not filter.
type CallFilter struct {
	Agent     string // login of an agent who rang or talked
	ClientID  int64
	Number    string // caller, callee or customer number (E.164 or as dialled)
	Direction Direction
	Outcome   Outcome
	Missed    bool      // only ended calls nobody answered (any outcome but answered)
	LinkedID  string    // the call with this linkedid (any node)
	From, To  time.Time // started_at in [From, To)
	After     string    // cursor from a previous page
	Limit     int
}

// TimelineEntry is one step of a call's history, in event order.
type TimelineEntry struct {
	Seq     int       `json:"seq"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // created, ringing, answered, bridged, unbridged, hold, unhold, transfer, dtmf, hangup, ended, ...
	Channel string    `json:"channel,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}
