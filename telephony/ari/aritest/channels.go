package aritest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"hotline/telephony/ari"
)

// CallerID is a name and number pair as ARI shows it.
type CallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

// dialplanCEP is a channel's position in the dialplan.
type dialplanCEP struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int    `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

// channelJSON is the ARI Channel model in Asterisk's field order.
type channelJSON struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	State        string            `json:"state"`
	ProtocolID   string            `json:"protocol_id"`
	Caller       CallerID          `json:"caller"`
	Connected    CallerID          `json:"connected"`
	AccountCode  string            `json:"accountcode"`
	Dialplan     dialplanCEP       `json:"dialplan"`
	CreationTime string            `json:"creationtime"`
	Language     string            `json:"language"`
	ChannelVars  map[string]string `json:"channelvars,omitempty"`
}

// channel is one simulated Asterisk channel. All fields are guarded by
// Server.mu.
type channel struct {
	id, name    string
	tech        string // PJSIP or Local
	endpoint    string // PJSIP/1001, PJSIP/customers, Local/x@ctx
	state       string
	protocolID  string
	caller      CallerID
	connected   CallerID
	dp          dialplanCEP
	created     time.Time
	seq         int // creation order, for "oldest linkedid"
	linkedID    string
	linkedSeq   int     // creation order of the linkedid's channel
	dial        *dialOp // the Dial this channel takes part in
	vars        map[string]string
	inStasis    bool
	stasisArgs  []string
	fromDialpl  bool // entered Stasis from the dialplan (continues after StasisEnd)
	bridge      *bridge
	peer        *channel // other half of a Local pair
	half        int      // 1 or 2 for Local channels
	destroyed   bool
	hangup      chan struct{} // closed when a hangup is requested
	hangupCause int           // cause requested via REST or remote side
	playQueue   []*playback
	playing     *playback
	onAnswer    func() // what an originated channel does once answered
	signals     map[string]chan struct{}
	local       *localCall // the Local pair this half belongs to
	hungPlays   []*playback
}

func (c *channel) json(withLinked bool) channelJSON {
	j := channelJSON{
		ID: c.id, Name: c.name, State: c.state, ProtocolID: c.protocolID,
		Caller: c.caller, Connected: c.connected, Dialplan: c.dp,
		CreationTime: formatTime(c.created), Language: cmpOr(c.vars["CHANNEL(language)"], "en"),
	}
	if withLinked {
		j.ChannelVars = map[string]string{"CHANNEL(linkedid)": c.linkedID}
	}
	return j
}

// inheritLinked gives c the linkedid of from (the channel that caused it:
// the Dial caller, the ARI originator, the other Local half), as Asterisk
// does when a channel is requested on behalf of another. A nil from keeps
// c's own id.
func (c *channel) inheritLinked(from *channel) {
	if from != nil {
		c.linkedID, c.linkedSeq = from.linkedID, from.linkedSeq
	}
}

// hangupRequested reports whether a hangup was requested.
func (c *channel) hangupRequested() bool {
	select {
	case <-c.hangup:
		return true
	default:
		return false
	}
}

// signal returns the channel closed when the named milestone ("up",
// "stasis") is reached.
func (c *channel) signal(name string) chan struct{} {
	if c.signals == nil {
		c.signals = map[string]chan struct{}{}
	}
	ch, ok := c.signals[name]
	if !ok {
		ch = make(chan struct{})
		c.signals[name] = ch
	}
	return ch
}

// fire closes the named milestone channel once.
func (c *channel) fire(name string) {
	ch := c.signal(name)
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func (c *channel) requestHangup(cause int) {
	if !c.hangupRequested() {
		c.hangupCause = cause
		close(c.hangup)
	}
}

// newChannel allocates a channel with an Asterisk-style unique id
// (<epoch>.<n>) and name (<endpoint>-<8 hex digits>). Caller holds s.mu.
func (s *Server) newChannel(endpoint, id string, state string, dp dialplanCEP, caller CallerID) *channel {
	n := s.chanSeq
	s.chanSeq++
	if id == "" {
		id = fmt.Sprintf("%d.%d", s.epoch, n)
	}
	tech, _, _ := strings.Cut(endpoint, "/")
	c := &channel{
		id: id, tech: tech, endpoint: endpoint, state: state, dp: dp, caller: caller,
		created: s.clock.Now(), seq: n, linkedID: id, linkedSeq: n, vars: map[string]string{},
		hangup:  make(chan struct{}),
		signals: map[string]chan struct{}{"up": make(chan struct{}), "stasis": make(chan struct{})},
	}
	if tech == "PJSIP" {
		c.name = fmt.Sprintf("%s-%08x", endpoint, s.nameSeq)
		s.nameSeq++
	}
	s.channels[id] = c
	s.order = append(s.order, c)
	return c
}

// channelList returns the live channels in creation order. Caller holds s.mu.
func (s *Server) channelList() []*channel {
	out := make([]*channel, 0, len(s.channels))
	for _, c := range s.order {
		if !c.destroyed {
			out = append(out, c)
		}
	}
	return out
}

// newCallID returns a random SIP Call-ID style uuid.
func (s *Server) newUUID() string {
	b := make([]byte, 16)
	s.rnd.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// causeText maps the Q.850 causes Asterisk reports to their cause_txt.
func causeText(cause int) string {
	switch cause {
	case 0:
		return "Unknown"
	case 1:
		return "Unallocated (unassigned) number"
	case 16:
		return "Normal Clearing"
	case 17:
		return "User busy"
	case 18:
		return "No user responding"
	case 19:
		return "User alerting, no answer"
	case 21:
		return "Call Rejected"
	case 26:
		return "Answered elsewhere"
	case 34:
		return "No route/channel available"
	case 127:
		return "Interworking, unspecified"
	}
	return "Unknown"
}

// setState changes the channel state and emits ChannelStateChange.
func (s *Server) setState(c *channel, state string) {
	if c.state == state || c.destroyed {
		return
	}
	c.state = state
	s.emitChannel(ari.TypeChannelStateChange, c, nil)
	if state == "Up" {
		c.fire("up")
	}
}

// dialplanApp moves the channel to the next priority running app and emits
// ChannelDialplan.
func (s *Server) dialplanApp(c *channel, app, data string) {
	c.dp.Priority++
	c.dp.AppName, c.dp.AppData = app, data
	s.emitChannel(ari.TypeChannelDialplan, c, fields{"dialplan_app": app, "dialplan_app_data": data})
}

// setVar sets a channel variable and emits ChannelVarset.
func (s *Server) setVar(c *channel, name, value string) {
	c.vars[name] = value
	s.emitChannel(ari.TypeChannelVarset, c, fields{"variable": name, "value": value})
}

// destroy emits ChannelDestroyed with the Q.850 cause and forgets the channel.
func (s *Server) destroy(c *channel, cause int) {
	if c.destroyed {
		return
	}
	s.emitChannel(ari.TypeChannelDestroyed, c, fields{"cause": cause, "cause_txt": causeText(cause)})
	c.destroyed = true
	c.requestHangup(cause)
	delete(s.channels, c.id)
	for i, o := range s.order {
		if o == c {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	if c.playing != nil {
		s.stopPlayback(c.playing, "")
	}
	for _, p := range c.hungPlays {
		if strings.HasPrefix(p.media[p.idx], "digits:") {
			p.lost = false
			s.stopPlayback(p, "failed")
		}
	}
	s.cond.Broadcast()
}

// hangupRequest emits ChannelHangupRequest; soft requests carry Asterisk's
// soft-hangup flag in cause (32 explicit, 16 dialplan end), remote hangups a
// Q.850 cause; cause < 0 omits the field (as for some remote BYEs).
func (s *Server) hangupRequest(c *channel, cause int, soft bool) {
	f := fields{}
	if cause >= 0 {
		f["cause"] = cause
	}
	if soft {
		f["soft"] = true
	}
	s.emitChannel(ari.TypeChannelHangupRequest, c, f)
}

// sortedIDs returns channel ids sorted as Asterisk lists bridge members.
func sortedIDs(cs []*channel) []string {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.id)
	}
	sort.Strings(ids)
	return ids
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
