package metrics

import "hotline/telephony/wallboard"

// The wallboard's types, declared in the domain package telephony/wallboard.
type (
	// AgentState is what an agent is doing now.
	AgentState = wallboard.AgentState
	// CallBrief is a call in progress as the wallboard shows it.
	CallBrief = wallboard.CallBrief
	// AgentStatus is one roster agent on the wallboard.
	AgentStatus = wallboard.AgentStatus
	// Totals are the counts of calls that ended since the start of the day.
	Totals = wallboard.Totals
	// Snapshot is the live state of the call centre at one moment.
	Snapshot = wallboard.Snapshot
)

// The agent states, in the order the wallboard and hotline_agent_state list them.
const (
	StateIdle    = wallboard.StateIdle
	StateRinging = wallboard.StateRinging
	StateTalking = wallboard.StateTalking
	StateOnHold  = wallboard.StateOnHold
	StateOffline = wallboard.StateOffline
)

// AgentStates lists every state; hotline_agent_state has one series per agent and state.
var AgentStates = wallboard.AgentStates
