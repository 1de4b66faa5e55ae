package survey

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hotline/crm"
	"hotline/telephony/ari"
)

// outcome is how asking one question ended.
type outcome int

const (
	outAnswer  outcome = iota // a valid answer
	outInvalid                // a wrong digit
	outTimeout                // silence
	outSkipped                // no valid answer after every retry
	outHangup                 // the caller hung up (or the runner stops)
	outOptOut                 // the caller pressed the opt-out digit
)

// thanksCap bounds the wait for the thank-you prompt: a bad media URI never
// finishes playing.
const thanksCap = 20 * time.Second

// session is one channel going through a survey. Its goroutine owns every
// field except inbox and goneCh, which Handle feeds.
type session struct {
	r        *Runner
	node     string
	ch       ari.Channel
	surveyID int64
	log      *slog.Logger
	inbox    chan ari.Event
	gone     sync.Once
	goneCh   chan struct{}

	ari      ARI
	sv       Survey
	lang     string // the caller's language ("": the survey's)
	texts    Texts  // what the survey says to this caller
	spoken   string // the language of texts
	resp     Response
	link     CallLink
	typed    []byte // digits received and not yet used (type-ahead)
	seq      int
	answered []Answer
	// journaled is set once a write of this survey went to the journal:
	// every later one follows it there, to be replayed in order.
	journaled bool
}

func newSession(r *Runner, node string, ch ari.Channel, surveyID int64) *session {
	return &session{r: r, node: node, ch: ch, surveyID: surveyID,
		log:   r.log.With(slog.String("node", node), slog.String("channel", ch.ID)),
		inbox: make(chan ari.Event, 16), goneCh: make(chan struct{})}
}

// save returns a context for a write that must finish even when the runner stops.
func (s *session) save() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(s.r.ctx), 10*time.Second)
}

// dbWait bounds a database call the caller waits on when a journal can
// take the write instead: a stalled database must not hold the caller in
// silence (a write that timed out but did land is replayed idempotently).
const dbWait = 3 * time.Second

// query returns a context for a database call the caller waits on.
func (s *session) query() (context.Context, context.CancelFunc) {
	if s.r.opts.Journal == nil {
		return s.save()
	}
	return context.WithTimeout(context.WithoutCancel(s.r.ctx), dbWait)
}

// entry is a journal entry of the session's response.
func (s *session) entry(o op) entry {
	return entry{Op: o, Survey: s.sv.Name, Response: s.resp}
}

// persist performs write on the database or, when the database cannot take
// it (or an earlier write of this survey waits in the journal), appends e
// to the journal to be replayed in order. It fails only when the write is
// neither stored nor journaled.
func (s *session) persist(e entry, write func(context.Context) error) error {
	if !s.journaled {
		ctx, cancel := s.query()
		err := write(ctx)
		cancel()
		if err == nil || permanent(err) || s.r.opts.Journal == nil {
			return err
		}
		s.log.Warn("survey: the database is unavailable; the write waits in the journal",
			slog.String("op", string(e.Op)), slog.Any("err", err))
	}
	if err := s.r.journal(e); err != nil {
		return err
	}
	s.journaled = true
	return nil
}

func (s *session) run() {
	ctx := s.r.ctx
	var err error
	if s.ari, err = s.r.client(s.node); err != nil {
		s.log.Error("survey: cannot run", slog.Any("err", err))
		return
	}
	if err := s.begin(ctx); err != nil {
		s.log.Error("survey: cannot start", slog.Any("err", err))
		s.hangupChannel()
		return
	}
	s.log = s.log.With(slog.Int64("response", s.resp.ID))
	state := s.ask()
	if ctx.Err() != nil {
		return // shutting down: Recover closes the response later
	}
	s.end(state)
}

// begin reads the survey and the call's link, answers the channel and
// inserts the response; for a channel already up (nothing to do before
// the response) the response is inserted with the reads, in one round
// trip. With the database down it plays the survey as last loaded and
// journals the response.
func (s *session) begin(ctx context.Context) error {
	var err error
	linked := s.ch.ChannelVars["CHANNEL(linkedid)"]
	if linked == "" {
		if linked, err = s.ari.Channels().GetVar(ctx, s.ch.ID, "CHANNEL(linkedid)"); err != nil {
			s.log.Warn("survey: cannot read linkedid, using the channel id", slog.Any("err", err))
			linked = s.ch.ID
		}
	}
	var start *Response
	if s.ch.State == "Up" {
		start = s.response(linked)
	}
	if err := s.open(linked, start); err != nil {
		if crm.IsKind(err, crm.KindConflict) {
			return fmt.Errorf("start response: %w", err)
		}
		return fmt.Errorf("load survey %d: %w", s.surveyID, err)
	}
	if s.ch.State != "Up" {
		if err := s.ari.Channels().Answer(ctx, s.ch.ID); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
	}
	s.chooseLanguage(ctx)
	if start != nil && start.ID != 0 {
		s.resp = *start
		return nil
	}
	s.resp = *s.response(linked)
	err = s.persist(s.entry(opStart), func(ctx context.Context) error { return s.r.opts.Store.StartResponse(ctx, &s.resp) })
	if err != nil {
		return fmt.Errorf("start response: %w", err)
	}
	return nil
}

// response is the session's response as it starts.
func (s *session) response(linked string) *Response {
	return &Response{SurveyID: s.sv.ID, Node: s.node, ChannelID: s.ch.ID, LinkedID: linked,
		Caller: s.ch.Caller.Number, Agent: s.link.Agent, ClientID: s.link.ClientID, ContactID: s.link.ContactID,
		State: StateInProgress, StartedAt: s.r.clock.Now()}
}

// open loads the survey to play (the one asked for, or the default when it
// is not given or no longer exists) and links the call, inserting start
// when it is given, in one round trip.
func (s *session) open(linked string, start *Response) error {
	ctx, cancel := s.query()
	defer cancel()
	q := SessionQuery{SurveyID: s.surveyID, Node: s.node, LinkedID: linked, ChannelID: s.ch.ID, Caller: s.r.e164(s.ch.Caller.Number), Start: start}
	var fallback bool
	var err error
	s.sv, s.link, fallback, err = s.r.open(ctx, q)
	if fallback {
		s.log.Warn("survey: no such survey, playing the default one", slog.Int64("survey", s.surveyID))
		s.surveyID = 0
	}
	return err
}

// ask asks every question in order and returns the final state.
func (s *session) ask() State {
	lead := s.say(s.texts.Intro, s.sv.Intro)
	if s.link.ContactID != nil { // a campaign's call: greet first
		lead = append(s.say(s.texts.Greeting, nil), lead...)
	}
	for i, q := range s.sv.Questions {
		value, out := s.question(q, lead)
		lead = nil
		switch out {
		case outAnswer:
			s.store(i, q, value)
		case outHangup:
			return s.cutShort()
		case outOptOut:
			return StateOptedOut
		case outSkipped:
			if q.Required {
				return s.cutShort()
			}
		}
	}
	return StateCompleted
}

// cutShort is the state of a survey that ended before its last question.
func (s *session) cutShort() State {
	if len(s.answered) > 0 {
		return StatePartial
	}
	return StateNoInput
}

// question asks q up to 1+Retries times.
func (s *session) question(q Question, lead []string) (int, outcome) {
	prompt := s.say(s.texts.Questions[q.Key], q.Prompt)
	for try := 0; try <= s.sv.Retries; try++ {
		media := append(append([]string(nil), lead...), prompt...)
		if try > 0 {
			media = append(s.say(s.texts.Invalid, s.sv.Invalid), prompt...)
		}
		pid := ""
		if len(s.typed) == 0 {
			pid = s.play(media)
		}
		v, out := s.collect(q, pid)
		switch out {
		case outInvalid, outTimeout:
			s.typed = nil
			continue
		}
		return v, out
	}
	return 0, outSkipped
}

// collect waits for digits until q has a valid answer, a wrong digit,
// silence or a hang-up. pid is the prompt playing ("" if none): a digit
// stops it, its end starts the timeout.
func (s *session) collect(q Question, pid string) (int, outcome) {
	input := ""
	wait := deadline{clock: s.r.clock}
	defer wait.stop()
	if pid == "" {
		wait.arm(s.sv.Timeout.Duration())
	}
	for {
		for len(s.typed) > 0 {
			d := string(s.typed[0])
			s.typed = s.typed[1:]
			if pid != "" {
				s.stopPlayback(pid)
				pid = ""
			}
			if v, out, done := s.digit(q, &input, d); done {
				return v, out
			}
			wait.arm(s.sv.InterDigit.Duration())
		}
		select {
		case <-s.goneCh:
			// Digits that arrived before the hang-up still count.
			if s.drainDigits() {
				continue
			}
			return 0, outHangup
		case <-s.r.ctx.Done():
			return 0, outHangup
		case <-wait.fired:
			if input == "" {
				return 0, outTimeout
			}
			if v, valid, _ := q.Parse(input); valid {
				return v, outAnswer
			}
			return 0, outInvalid
		case ev := <-s.inbox:
			switch e := ev.(type) {
			case *ari.ChannelDtmfReceived:
				if e.Digit != "" {
					s.typed = append(s.typed, e.Digit[0])
				}
			case *ari.PlaybackFinished:
				if pid != "" && e.Playback.ID == pid {
					pid = ""
					wait.arm(s.sv.Timeout.Duration())
				}
			}
		}
	}
}

// drainDigits moves the queued DTMF digits to the type-ahead buffer and
// reports whether there were any.
func (s *session) drainDigits() bool {
	for {
		select {
		case ev := <-s.inbox:
			if e, ok := ev.(*ari.ChannelDtmfReceived); ok && e.Digit != "" {
				s.typed = append(s.typed, e.Digit[0])
			}
		default:
			return len(s.typed) > 0
		}
	}
}

// deadline is a re-armable timeout on the injected clock; fired is nil
// (never ready) until it is armed.
type deadline struct {
	clock Clock
	timer *time.Timer
	fired chan struct{}
}

func (d *deadline) arm(after time.Duration) {
	d.stop()
	c := make(chan struct{})
	d.fired, d.timer = c, d.clock.AfterFunc(after, func() { close(c) })
}

func (d *deadline) stop() {
	if d.timer != nil {
		d.timer.Stop()
	}
}

// digit adds one digit to input; done reports that the question is decided.
func (s *session) digit(q Question, input *string, d string) (int, outcome, bool) {
	if s.sv.OptOut != "" && d == s.sv.OptOut {
		return 0, outOptOut, true
	}
	if d == "#" {
		if v, valid, _ := q.Parse(*input); valid {
			return v, outAnswer, true
		}
		return 0, outInvalid, true
	}
	*input += d
	v, valid, more := q.Parse(*input)
	switch {
	case valid && !more:
		return v, outAnswer, true
	case !valid && !more:
		return 0, outInvalid, true
	}
	return 0, 0, false
}

// store saves one answer at once (or journals it), then counts it; a low
// score opens a follow-up.
func (s *session) store(i int, q Question, value int) {
	a := Answer{ResponseID: s.resp.ID, Index: i, Key: q.Key, Value: value, Scale: q.Scale(),
		Low: s.sv.IsLow(q, value), At: s.r.clock.Now()}
	e := s.entry(opAnswer)
	e.Answer, e.Question = &a, &q
	err := s.persist(e, func(ctx context.Context) error { return s.r.saveAnswer(ctx, s.sv, s.resp, q, a) })
	if err != nil {
		s.log.Error("survey: save answer", slog.String("question", q.Key), slog.Any("err", err))
		return
	}
	s.answered = append(s.answered, a)
	s.r.metrics.score(s.resp.Agent, a)
}

// end records the final state with the response's entry on the client's
// timeline (or journals them), thanks a caller still on the line and
// hangs up.
func (s *session) end(state State) {
	if !s.journaled && (s.resp.Agent == "" || s.resp.ClientID == nil) {
		// The call record may have been written after the survey started.
		ctx, cancel := s.query()
		if link, err := s.r.opts.Store.LinkCall(ctx, s.node, s.resp.LinkedID, s.ch.ID, s.r.e164(s.resp.Caller)); err == nil {
			s.resp.Agent = cmp.Or(s.resp.Agent, link.Agent)
			s.resp.ClientID = firstNonNil(s.resp.ClientID, link.ClientID)
		}
		cancel()
	}
	now := s.r.clock.Now()
	s.resp.State, s.resp.EndedAt, s.resp.Answers = state, &now, s.answered
	fin := s.entry(opFinish)
	if err := s.persist(fin, func(ctx context.Context) error { return s.r.finish(ctx, s.sv, s.resp) }); err != nil {
		s.log.Error("survey: finish response", slog.Any("err", err))
	}
	s.r.metrics.finished(s.sv, state)
	if !s.isGone() {
		if state == StateCompleted || state == StateOptedOut {
			s.waitPlayback(s.play(s.say(s.texts.Thanks, s.sv.Thanks)), thanksCap)
		}
		s.hangupChannel()
	}
}

func firstNonNil(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}

func (s *session) isGone() bool {
	select {
	case <-s.goneCh:
		return true
	default:
		return false
	}
}

// play starts media on the channel with our own playback id; "" when
// nothing plays (no media or the request failed).
func (s *session) play(media []string) string {
	if len(media) == 0 {
		return ""
	}
	s.seq++
	// by channel: the response may have no id yet (its row waits in the journal)
	id := fmt.Sprintf("survey-%s-%d", s.ch.ID, s.seq)
	_, err := s.ari.Channels().Play(s.r.ctx, s.ch.ID, ari.PlayParams{Media: media, Lang: cmp.Or(s.lang, s.sv.Language), PlaybackID: id})
	if err != nil {
		s.log.Warn("survey: play", slog.String("media", strings.Join(media, ",")), slog.Any("err", err))
		return ""
	}
	return id
}

func (s *session) stopPlayback(id string) {
	if err := s.ari.Playbacks().Stop(s.r.ctx, id); err != nil && !ari.IsNotFound(err) {
		s.log.Warn("survey: stop playback", slog.Any("err", err))
	}
}

// waitPlayback waits until playback id finishes, the caller hangs up or max passes.
func (s *session) waitPlayback(id string, max time.Duration) {
	if id == "" {
		return
	}
	c := make(chan struct{})
	t := s.r.clock.AfterFunc(max, func() { close(c) })
	defer t.Stop()
	for {
		select {
		case <-c:
			return
		case <-s.goneCh:
			return
		case <-s.r.ctx.Done():
			return
		case ev := <-s.inbox:
			if e, ok := ev.(*ari.PlaybackFinished); ok && e.Playback.ID == id {
				return
			}
		}
	}
}

func (s *session) hangupChannel() {
	if s.ari == nil || s.isGone() {
		return
	}
	ctx, cancel := s.save()
	defer cancel()
	if err := s.ari.Channels().Hangup(ctx, s.ch.ID, "normal"); err != nil && !ari.IsNotFound(err) {
		s.log.Warn("survey: hang up", slog.Any("err", err))
	}
}

// Summary is a one-line description of a response: survey, state, scores.
func Summary(sv Survey, r Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Survey %q: %s", sv.Name, strings.ReplaceAll(string(r.State), "_", " "))
	for i, a := range r.Answers {
		sep := ", "
		if i == 0 {
			sep = "; "
		}
		fmt.Fprintf(&b, "%s%s %d", sep, a.Key, a.Value)
	}
	if r.Agent != "" {
		fmt.Fprintf(&b, " (agent %s)", r.Agent)
	}
	return b.String()
}
