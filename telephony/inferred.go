package telephony

import "time"

// Reconciliation runs once the event socket is up, before the events that
// arrive on it are folded (ari.Config.OnConnect). Whatever happens between
// the connect and GET /channels is therefore both in the listing and in the
// events queued behind it: a channel created in that window is adopted from
// the listing and then gets its ChannelCreated, a phone that began ringing
// is rung from the listing and then gets its ChannelStateChange. What the
// listing tells is approximate (a leg "Ringing" is dated by its creation,
// an "Up" one by the last event seen), what the events tell is exact. So
// reconciliation marks what it takes from the listing as inferred, and the
// first event that tells the same fact replaces it: the record ends as that
// of a tracker that never stopped. When no such event comes (the fact
// happened while nobody had the stream) the inferred value stays.

// inferred are the facts of one leg that reconciliation took from GET
// /channels.
type inferred struct {
	Created bool `json:"created,omitempty"` // name, number, dialplan position: an adopted channel
	Ringing bool `json:"ringing,omitempty"` // RingingAt
	Up      bool `json:"up,omitempty"`      // AnsweredAt
	// Whole: the adopted channel's ChannelCreated came after the listing,
	// so every event of the leg is folded.
	Whole bool `json:"whole,omitempty"`
}

// markInferred records facts of channel id as inferred.
func (s *trackState) markInferred(id string, set func(*inferred)) {
	if s.Inferred == nil {
		s.Inferred = map[string]inferred{}
	}
	f := s.Inferred[id]
	set(&f)
	s.Inferred[id] = f
}

// exact takes back the inferred mark of a fact of channel id and reports
// whether it was there.
func (s *trackState) exact(id string, fact func(*inferred) *bool) bool {
	f, ok := s.Inferred[id]
	if !ok || !*fact(&f) {
		return false
	}
	*fact(&f) = false
	if f == (inferred{}) {
		delete(s.Inferred, id)
	} else {
		s.Inferred[id] = f
	}
	return true
}

func factCreated(f *inferred) *bool { return &f.Created }
func factRinging(f *inferred) *bool { return &f.Ringing }
func factUp(f *inferred) *bool      { return &f.Up }

// inferAdopted marks the description of a channel adopted from GET
// /channels (its dialplan position is the one of the listing, not of its
// creation).
func (c *callState) inferAdopted(id string) {
	c.st.markInferred(id, func(f *inferred) { f.Created = true })
}

// inferRinging rings a leg from GET /channels.
func (t *Tracker) inferRinging(c *callState, l *Leg, at time.Time) {
	if l.RingingAt != nil {
		return
	}
	t.ringing(c, l, at)
	c.st.markInferred(l.ChannelID, func(f *inferred) { f.Ringing = true })
}

// inferUp answers a leg (and, for the first channel, the call) from GET
// /channels.
func (t *Tracker) inferUp(c *callState, l *Leg, at time.Time) {
	if l.AnsweredAt != nil {
		return
	}
	answered := c.rec.AnsweredAt != nil
	t.legUp(c, l, at)
	c.st.markInferred(l.ChannelID, func(f *inferred) { f.Up = true })
	if !answered && c.rec.AnsweredAt != nil {
		c.st.InferredAnswer = true
	}
}

// caughtUp brings a leg of a call that lived through a gap up to the
// state its event shows, when the events that changed it were sent while
// nobody had the stream. A channel answered during a fail-over and hung up
// between the new owner's connect and its GET /channels tells its answer
// only by the state on its queued hangup events: without this, its agent's
// screen pop, still ringing in Redis, would end as missed. As from a
// listing (liveState), what it sets is inferred, dated by the last moment
// the call was known before the gap (or seen, the last event seen from the
// node before this one), and never after at. Asterisk
// sends a channel's ChannelStateChange before any other event showing the
// new state, so without a gap this never fires. Called with t.mu held.
func (t *Tracker) caughtUp(c *callState, ch *wireChannel, seen, at time.Time) {
	l := c.leg(ch.ID)
	if l == nil {
		return
	}
	if c.st.GapFrom != nil {
		seen = *c.st.GapFrom
	}
	if seen.After(at) {
		seen = at
	}
	t.liveState(c, l, ch.State, l.CreatedAt, seen, false)
}

// exactCreated describes an adopted leg again from its ChannelCreated, as
// a tracker that saw the channel begin did; for the call's first channel
// the caller, callee and direction follow.
func (t *Tracker) exactCreated(c *callState, ch *wireChannel) {
	l := c.leg(ch.ID)
	if l == nil || !c.st.exact(ch.ID, factCreated) {
		return
	}
	c.st.markInferred(ch.ID, func(f *inferred) { f.Whole = true })
	if ch.ID == c.st.Origin {
		c.st.Decided = false
		c.rec.Callee = ""
		c.st.ClickToCall = originatedToAgent(ch, l)
	}
	t.describe(c, l, ch)
}

// exactRinging dates an inferred ringing by the event that tells it; the
// call's first ring follows when it was this one.
func (t *Tracker) exactRinging(c *callState, l *Leg, at time.Time) {
	if !c.st.exact(l.ChannelID, factRinging) {
		return
	}
	was := *l.RingingAt
	l.RingingAt = &at
	c.note(at, "ringing", l.ChannelID, l.Agent)
	if fr := c.st.FirstRing; fr != nil && fr.Equal(was) && l.ChannelID != c.st.Origin {
		c.st.FirstRing = c.firstRing()
	}
}

// exactUp dates an inferred answer of a leg by the event that tells it; the
// call's answer follows when it was inferred from this leg.
func (t *Tracker) exactUp(c *callState, l *Leg, at time.Time) {
	if !c.st.exact(l.ChannelID, factUp) {
		return
	}
	l.AnsweredAt = &at
	c.note(at, "up", l.ChannelID, l.Agent)
	if l.ChannelID == c.st.Origin && c.st.InferredAnswer {
		c.st.InferredAnswer = false
		c.rec.AnsweredAt = &at
		c.note(at, "answered", "", "")
	}
}

// neverRang takes back the inferred ringing of a leg whose every event is
// folded when it goes up or away and no event rang it (a Local channel's
// second half is listed in Ring but never rings).
func (t *Tracker) neverRang(c *callState, l *Leg) {
	f := c.st.Inferred[l.ChannelID]
	if !f.Whole || !f.Ringing || l.RingingAt == nil {
		return
	}
	c.st.exact(l.ChannelID, factRinging)
	was := *l.RingingAt
	l.RingingAt = nil
	if fr := c.st.FirstRing; fr != nil && fr.Equal(was) {
		c.st.FirstRing = c.firstRing()
	}
}

// firstRing is the earliest ringing of a leg other than the first channel.
func (c *callState) firstRing() *time.Time {
	var first *time.Time
	for i := range c.rec.Legs {
		l := &c.rec.Legs[i]
		if l.RingingAt != nil && l.ChannelID != c.st.Origin && (first == nil || l.RingingAt.Before(*first)) {
			r := *l.RingingAt
			first = &r
		}
	}
	return first
}

// adoptedAfter is the index of the first leg adopted from GET /channels
// whose ChannelCreated has not come yet and that was created after
// created, -1 if none: a channel whose ChannelCreated comes now (queued
// behind the listing, it ended before it) was created before that leg,
// and a tracker that never stopped lists its leg first.
func (c *callState) adoptedAfter(created time.Time) int {
	for i := range c.rec.Legs {
		l := &c.rec.Legs[i]
		if c.st.Inferred[l.ChannelID].Created && l.CreatedAt.After(created) {
			return i
		}
	}
	return -1
}

// originFound follows the call's first channel, seen after channels of the
// call reconciliation adopted (it ended before the listing, its events were
// queued behind it): the call started when it was created, and an answer
// inferred from an adopted leg is taken back, the first channel's own
// answer tells it.
func (c *callState) originFound(created time.Time) {
	if created.Before(c.rec.StartedAt) {
		c.rec.StartedAt = created
	}
	if c.st.InferredAnswer {
		c.st.InferredAnswer = false
		c.rec.AnsweredAt = nil
	}
}
