// Package wallboard holds the live state of the call centre as the
// supervisors' wallboard shows it: agents and their states, calls in
// progress and waiting, today's totals. metrics computes it from the call
// tracker's events; crm/httpapi and crm/web show it.
package wallboard

import (
	"time"

	"hotline/telephony"
)

// Source gives the wallboard's state now (*metrics.Metrics).
type Source interface {
	Snapshot() Snapshot
}

// AgentState is what an agent is doing now, as seen from the call tracker.
type AgentState string

// The agent states, in the order the wallboard and hotline_agent_state list them.
const (
	StateIdle    AgentState = "idle"
	StateRinging AgentState = "ringing"
	StateTalking AgentState = "talking"
	StateOnHold  AgentState = "on_hold"
	StateOffline AgentState = "offline"
)

// AgentStates lists every state; hotline_agent_state has one series per agent and state.
var AgentStates = []AgentState{StateIdle, StateRinging, StateTalking, StateOnHold, StateOffline}

// CallBrief is a call in progress as the wallboard shows it (no call id in
// any metric label: this is for pages only).
type CallBrief struct {
	LinkedID    string              `json:"linkedid"`
	Direction   telephony.Direction `json:"direction"`
	Customer    string              `json:"customer,omitempty"`
	Agent       string              `json:"agent,omitempty"`
	StartedAt   time.Time           `json:"started_at"`
	AnsweredAt  *time.Time          `json:"answered_at,omitempty"`
	WaitSeconds float64             `json:"wait_seconds"` // waiting so far (unanswered inbound)
	Held        bool                `json:"held"`
}

// AgentStatus is one roster agent on the wallboard.
type AgentStatus struct {
	Login string     `json:"login"`
	State AgentState `json:"state"`
	Since time.Time  `json:"since"`
	Call  *CallBrief `json:"call,omitempty"`
}

// Totals are the counts of calls that ended since the start of the day.
type Totals struct {
	Day            string  `json:"day"` // YYYY-MM-DD in the board's time zone
	Calls          int     `json:"calls"`
	Answered       int     `json:"answered"`
	Missed         int     `json:"missed"` // inbound calls nobody answered
	AvgTalkSeconds float64 `json:"avg_talk_seconds"`
}

// Snapshot is the live state of the call centre at one moment.
type Snapshot struct {
	At                 time.Time                   `json:"at"`
	Agents             []AgentStatus               `json:"agents"`
	Calls              []CallBrief                 `json:"calls"`   // every call in progress
	Waiting            []CallBrief                 `json:"waiting"` // inbound calls not answered yet
	LongestWaitSeconds float64                     `json:"longest_wait_seconds"`
	Active             map[telephony.Direction]int `json:"active"`
	Today              Totals                      `json:"today"`
}
