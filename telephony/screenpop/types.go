// Package screenpop builds the caller's client card when an agent's phone
// rings and delivers it to that agent's console. It takes the call tracker's
// ringing/answered/ended facts as its own small input types, looks the caller
// up once per call (the card is cached for every agent the call rings), and
// publishes one pop per agent and call through a Hub: in-process for a single
// replica, or over Redis pub/sub (a channel per agent) when several replicas
// share the consoles. Live pops are kept so that a console that reconnects
// receives the pops of calls still live.
package screenpop

import "time"

// Ringing says that an agent's endpoint started ringing for a call.
type Ringing struct {
	CallID      string // the tracker's call id (usually the linkedid)
	Linkedid    string
	Node        string // the Asterisk node the call is on
	AgentLogin  string // the ringing agent, if the tracker knows it
	Endpoint    string // the ringing endpoint, e.g. "PJSIP/1001"
	Caller      string // the caller's number as received
	CallerName  string // the caller id name, if any
	Dialled     string // the number the caller dialled
	Transfer    bool   // the call is being transferred to this agent
	FromAgent   string // the agent who transferred it
	ClickToCall bool   // the call was originated by the agent from Hotline
	At          time.Time
}

// Answered says that an agent answered a call. The other agents' ringing pops
// for the same call close.
type Answered struct {
	CallID     string
	AgentLogin string
	Endpoint   string
	At         time.Time
}

// Ended says that a call, or one agent's leg of it when AgentLogin or
// Endpoint is set, ended.
type Ended struct {
	CallID     string
	AgentLogin string
	Endpoint   string
	Cause      string // the hangup cause in words, if known
	At         time.Time
}

// State is where a pop is in its life.
type State string

// The pop states. Ringing, answered, ended and missed pops stay on the
// console until the agent closes them; taken and closed pops are removed.
const (
	StateRinging  State = "ringing"
	StateAnswered State = "answered"
	StateEnded    State = "ended"  // answered, then ended: wrap-up time
	StateMissed   State = "missed" // ended while still ringing at this agent
	StateTaken    State = "taken"  // another agent answered
	StateClosed   State = "closed" // the agent closed the card
)

// Live reports whether a pop in this state stays on the console.
func (s State) Live() bool {
	return s == StateRinging || s == StateAnswered || s == StateEnded || s == StateMissed
}

// Pop is what an agent's console shows for one call: the state of the call
// at this agent and the client card. It is sent whole on every change, with
// a sequence number that only grows, so consoles replace older copies.
type Pop struct {
	Type        string    `json:"type"` // always "pop"
	CallID      string    `json:"call_id"`
	Agent       string    `json:"agent"`
	Seq         int64     `json:"seq"`
	State       State     `json:"state"`
	Node        string    `json:"node,omitempty"`
	Endpoint    string    `json:"endpoint,omitempty"`
	Transfer    bool      `json:"transfer,omitempty"`
	FromAgent   string    `json:"from_agent,omitempty"`
	ClickToCall bool      `json:"click_to_call,omitempty"`
	RingingAt   time.Time `json:"ringing_at"`
	AnsweredAt  time.Time `json:"answered_at,omitzero"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
	// TalkSeconds is the answered-to-ended time of an ended pop.
	TalkSeconds int64     `json:"talk_seconds,omitempty"`
	Cause       string    `json:"cause,omitempty"`
	AnsweredBy  string    `json:"answered_by,omitempty"` // for taken pops
	WrapUp      *WrapUp   `json:"wrap_up,omitempty"`
	ReceivedAt  time.Time `json:"received_at"` // when Hotline received the ringing event
	Card        *Card     `json:"card,omitempty"`
}

// WrapUp is the agent's note after a call, saved on a client's timeline.
type WrapUp struct {
	ClientID      int64     `json:"client_id"`
	Note          string    `json:"note"`
	InteractionID int64     `json:"interaction_id"`
	SavedAt       time.Time `json:"saved_at"`
}

// Card is the caller's client card, built once per call.
type Card struct {
	Caller     string        `json:"caller"`      // as received
	CallerE164 string        `json:"caller_e164"` // "" when not a valid number
	CallerName string        `json:"caller_name,omitempty"`
	Dialled    string        `json:"dialled,omitempty"`
	Clients    []ClientCard  `json:"clients"` // several when one number is shared
	Modules    ModuleNotices `json:"modules"`
	// Error says why the lookup failed, when it did; the pop still goes out.
	Error   string    `json:"error,omitempty"`
	BuiltAt time.Time `json:"built_at"`
}

// ModuleNotices says which optional parts of the card are not available in
// this installation, so the console can say so instead of showing nothing.
type ModuleNotices struct {
	Tickets  bool `json:"tickets"`
	Products bool `json:"products"`
	Surveys  bool `json:"surveys"`
}

// ClientCard is one matched client on a card.
type ClientCard struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	Company   string        `json:"company,omitempty"`
	Kind      string        `json:"kind"`
	Priority  PriorityView  `json:"priority"`
	OwnerID   int64         `json:"owner_id,omitempty"`
	OwnerName string        `json:"owner_name,omitempty"`
	URL       string        `json:"url"`
	Tags      []string      `json:"tags,omitempty"`
	Tickets   []Ticket      `json:"tickets,omitempty"`
	Recent    []Interaction `json:"recent,omitempty"`
	Products  []Product     `json:"products,omitempty"`
	Surveys   []SurveyScore `json:"surveys,omitempty"`
}

// PriorityView is a client's priority class as shown on the card.
type PriorityView struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	Rank int    `json:"rank"`
}

// Ticket is an open service request shown on a card.
type Ticket struct {
	ID     int64     `json:"id"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
	Due    time.Time `json:"due,omitzero"`
	URL    string    `json:"url,omitempty"`
}

// Interaction is one recent timeline entry shown on a card.
type Interaction struct {
	Kind    string    `json:"kind"`
	At      time.Time `json:"at"`
	Summary string    `json:"summary"`
	// TicketID is the request the entry is about (0: none); an agent who
	// may not see that request does not get the entry.
	TicketID int64 `json:"ticket_id,omitempty"`
}

// Product is a purchased product with its support conditions.
type Product struct {
	ID           int64     `json:"id,omitempty"`
	Name         string    `json:"name"`
	PurchasedAt  time.Time `json:"purchased_at,omitzero"`
	Support      string    `json:"support"` // e.g. "24/7, 4h response"
	SupportUntil time.Time `json:"support_until,omitzero"`
	// SupportActive: the support period has not ended (false without support).
	SupportActive bool `json:"support_active"`
	// SupportPriority is the priority a request about the product gets
	// while supported (empty: the client's usual priority).
	SupportPriority string `json:"support_priority,omitempty"`
}

// SurveyScore is one recent satisfaction survey result.
type SurveyScore struct {
	Survey string    `json:"survey"`
	Score  float64   `json:"score"`
	Max    float64   `json:"max"`
	At     time.Time `json:"at"`
}
