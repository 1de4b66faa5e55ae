package telephony

import (
	"slices"
	"time"
)

// trackState is the tracker's private state of one call, kept in every
// CallUpdate so that tracking resumes after a restart.
type trackState struct {
	Origin       string               `json:"origin"`
	Seq          int                  `json:"seq"`     // last timeline entry
	Version      int                  `json:"version"` // changes applied: events folded, reconciliations
	Seen         []uint64             `json:"seen"`
	InBridge     map[string]string    `json:"in_bridge,omitempty"` // channel -> bridge
	Held         map[string]time.Time `json:"held,omitempty"`      // channel -> hold start
	HoldSince    *time.Time           `json:"hold_since,omitempty"`
	HoldTotal    float64              `json:"hold_total"`
	TalkSince    *time.Time           `json:"talk_since,omitempty"`
	TalkTotal    float64              `json:"talk_total"`
	FirstRing    *time.Time           `json:"first_ring,omitempty"`
	CallerHungUp bool                 `json:"caller_hung_up"`
	FinalDial    string               `json:"final_dial,omitempty"`
	HangupChan   string               `json:"hangup_chan,omitempty"` // channel whose hangup ended the call
	HangupParty  Party                `json:"hangup_party,omitempty"`
	HangupTalk   bool                 `json:"hangup_talk"` // HangupChan ended a conversation
	LastEvent    time.Time            `json:"last_event"`
	Decided      bool                 `json:"decided"`
	Merged       []string             `json:"merged,omitempty"` // linkedids folded in
	// ClickToCall: the call began with a channel originated to an agent's
	// phone (see clicktocall_fold.go).
	ClickToCall bool `json:"click_to_call,omitempty"`
	// Inferred are the facts of legs that reconciliation took from GET
	// /channels; the events that tell them exactly may be queued behind
	// the listing (see inferred.go).
	Inferred       map[string]inferred `json:"inferred,omitempty"`        // channel -> facts
	InferredAnswer bool                `json:"inferred_answer,omitempty"` // the call's AnsweredAt
	// GapFrom is the last moment the call was known before its latest
	// gap (set at each listing): what its queued events show changed
	// since is dated by it (caughtUp).
	GapFrom *time.Time `json:"gap_from,omitempty"`
}

// callState is one call being tracked.
type callState struct {
	rec     Call
	st      trackState
	seen    map[uint64]struct{}
	pending []TimelineEntry // timeline entries not yet journaled
	legIdx  map[string]int  // channel id -> index in rec.Legs
	gone    bool            // merged or ended and journaled: drop after flush
}

func newCallState(node, linkedID string, started time.Time) *callState {
	return &callState{
		rec: Call{
			LinkedID:  linkedID,
			Node:      node,
			StartedAt: started,
			Agents:    []string{},
			Transfers: []Transfer{},
			Legs:      []Leg{},
		},
		st: trackState{
			InBridge: map[string]string{},
			Held:     map[string]time.Time{},
		},
		seen:   map[uint64]struct{}{},
		legIdx: map[string]int{},
	}
}

func (c *callState) leg(id string) *Leg {
	if i, ok := c.legIdx[id]; ok {
		return &c.rec.Legs[i]
	}
	return nil
}

func (c *callState) addLeg(l Leg) *Leg {
	c.legIdx[l.ChannelID] = len(c.rec.Legs)
	c.rec.Legs = append(c.rec.Legs, l)
	if l.Agent != "" && !slices.Contains(c.rec.Agents, l.Agent) {
		c.rec.Agents = append(c.rec.Agents, l.Agent)
	}
	return &c.rec.Legs[len(c.rec.Legs)-1]
}

// insertLeg adds a leg at index i, before the legs there.
func (c *callState) insertLeg(i int, l Leg) *Leg {
	c.rec.Legs = slices.Insert(c.rec.Legs, i, l)
	agents := []string{}
	for j, leg := range c.rec.Legs {
		c.legIdx[leg.ChannelID] = j
		if leg.Agent != "" && !slices.Contains(agents, leg.Agent) {
			agents = append(agents, leg.Agent)
		}
	}
	c.rec.Agents = agents
	return &c.rec.Legs[i]
}

func (c *callState) note(at time.Time, kind, channel, detail string) {
	c.st.Seq++
	c.pending = append(c.pending, TimelineEntry{Seq: c.st.Seq, At: at, Kind: kind, Channel: channel, Detail: detail})
}

// allEnded reports whether every leg of the call is gone.
func (c *callState) allEnded() bool {
	for i := range c.rec.Legs {
		if c.rec.Legs[i].EndedAt == nil {
			return false
		}
	}
	return len(c.rec.Legs) > 0
}

// talking reports whether two channels of the call share a bridge.
func (c *callState) talking() bool {
	if len(c.st.InBridge) < 2 {
		return false
	}
	count := make(map[string]int, len(c.st.InBridge))
	for _, b := range c.st.InBridge {
		count[b]++
		if count[b] >= 2 {
			return true
		}
	}
	return false
}

// inTalk reports whether channel id shares a bridge with another channel of the call.
func (c *callState) inTalk(id string) bool {
	b, ok := c.st.InBridge[id]
	if !ok {
		return false
	}
	for other, ob := range c.st.InBridge {
		if other != id && ob == b {
			return true
		}
	}
	return false
}

func secondsBetween(a, b time.Time) float64 {
	d := b.Sub(a)
	if d < 0 {
		return 0
	}
	return float64(d.Milliseconds()) / 1000
}
