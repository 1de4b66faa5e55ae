package survey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/crm"
	"hotline/telephony/ari"
)

// ARI is the part of the ARI REST API the runner and the dialer use;
// *ari.Client satisfies it.
type ARI interface {
	Channels() ari.Channels
	Playbacks() ari.Playbacks
}

var _ ARI = (*ari.Client)(nil)

// Clock is the time source; aritest's virtual clock satisfies it.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) *time.Timer
}

type realClock struct{}

func (realClock) Now() time.Time                                  { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) *time.Timer { return time.AfterFunc(d, f) }

// CallLink is what a response is linked to: the agent who talked last on
// the call, the client, and the campaign contact when the call came from a
// campaign.
type CallLink struct {
	Agent     string
	ClientID  *int64
	ContactID *int64
	// Language is the client's own language ("" when unknown or not set),
	// for Options.Language.
	Language string
}

// SessionQuery asks for what a session reads before its first prompt:
// survey SurveyID (0: the default one) and the link of the call.
type SessionQuery struct {
	SurveyID int64
	// KnownID and KnownVersion are the survey definition the runner holds:
	// when it is still current, the store leaves its definition out.
	KnownID, KnownVersion int64
	// Node, LinkedID, ChannelID and Caller are LinkCall's arguments.
	Node, LinkedID, ChannelID, Caller string
	// Start, when set, is the response to insert in the same round trip,
	// as StartResponse does, for the survey and with the link found (its
	// SurveyID, Agent, ClientID and ContactID are set from them); its ID
	// is set, or OpenSession returns KindConflict.
	Start *Response
}

// Opening is what a session reads before its first prompt.
type Opening struct {
	// Survey is the survey to play. When Unchanged it holds only its ID,
	// Default flag and times: the known definition is current.
	Survey    Survey
	Version   int64 // the definition's version: any write changes it
	Unchanged bool
	// Fallback is set when SurveyID no longer exists: Survey is the default.
	Fallback bool
	Link     CallLink
}

// Store is what the runner needs from the database.
type Store interface {
	// LinkCall finds the agent and client of the call with linkedID (the
	// calls table), the campaign contact of channelID, or the client by the
	// caller's number.
	LinkCall(ctx context.Context, node, linkedID, channelID, caller string) (CallLink, error)
	// OpenSession reads the survey and the call's link (and inserts
	// q.Start) in one round trip. With no such survey and no default it
	// returns the link and a KindNotFound error.
	OpenSession(ctx context.Context, q SessionQuery) (Opening, error)
	// StartResponse inserts r (state in_progress) and sets r.ID; a second
	// response on the same node and channel is a KindConflict.
	StartResponse(ctx context.Context, r *Response) error
	// ResponseByChannel returns the response of channelID on node
	// (KindNotFound if none); journaled writes find their response by it.
	ResponseByChannel(ctx context.Context, node, channelID string) (Response, error)
	// SaveAnswer stores one answer; saving the same (response, index) twice keeps the first.
	SaveAnswer(ctx context.Context, a Answer) error
	// FinishResponse sets r's final State and EndedAt (for a response still
	// in progress) and fills its agent and client if they were unknown.
	// With timeline it also adds that entry to the client's timeline (once
	// per client and reference), in the same round trip.
	FinishResponse(ctx context.Context, r Response, timeline *crm.Interaction) error
	// AbandonResponses closes responses of node still in progress that
	// started before the given time (partial or no_input); it returns their channels.
	AbandonResponses(ctx context.Context, node string, before time.Time) ([]string, error)
}

// Timeline records interactions on a client's timeline (crm/postgres.Store).
type Timeline interface {
	AddInteraction(ctx context.Context, i *crm.Interaction) error
}

// FollowUp is a low score that needs a supervisor's attention.
type FollowUp struct {
	Survey   Survey
	Response Response
	Question Question
	Value    int
}

// FollowUps opens follow-ups for low scores. Until tickets exist,
// TimelineFollowUps writes a note flagged for supervisors; the ticket module
// can take over by implementing this interface.
type FollowUps interface {
	OpenFollowUp(ctx context.Context, f FollowUp) error
}

// Speaker turns a text in a language into a media URI that speaks it
// (*voice.Voice: synthesized or uploaded audio served over HTTP).
type Speaker interface {
	Media(ctx context.Context, lang, text string) (string, error)
}

// Options configure a Runner. Store and ARI are required.
type Options struct {
	Store Store
	// Timeline is the clients' timeline; nil: no timeline entries. A
	// response's own entry is written by Store.FinishResponse with its
	// final state (one round trip), so Timeline must be on the Store's
	// database; it takes the follow-up notes of TimelineFollowUps.
	Timeline  Timeline
	FollowUps FollowUps // nil: TimelineFollowUps on Timeline
	// ARI gives the REST client of an Asterisk node (the Message.Node of the
	// events); with a single node it may ignore the name.
	ARI        func(node string) ARI
	App        string // Stasis application name; default "hotline"
	Clock      Clock
	Logger     *slog.Logger
	Registerer prometheus.Registerer // nil: metrics are not registered
	// Speech speaks the surveys' texts; nil: only their media play.
	Speech Speaker
	// Language returns the language of the caller of a linked call (their
	// client's, else the centre's); nil or "": the survey's Language. The
	// channel's language (CHANNEL(language)) is set to it before the first
	// prompt, so Asterisk's own sounds and number: media use it too.
	Language func(ctx context.Context, link CallLink) string
	// Agents bounds the agent label of the score metrics to the roster;
	// nil: scores count for agent "unknown" ("none" without an agent).
	Agents AgentLabels
	// Phone turns a caller's number into E.164 (crm/phone.Normalizer.E164),
	// so that a caller's answers reach their client however the PBX wrote
	// the number; nil, or a number it refuses: matched as received.
	Phone func(raw string) (string, error)
	// Journal holds the writes (responses, answers, final states) that
	// cannot reach the Store while the database is down, and replays them
	// in order when it is back; nil: such writes are logged and lost.
	Journal Journal
}

// Runner plays surveys to channels that enter Stasis with the arguments
// "survey" or "survey,<survey id>". Feed it every ARI event with Handle.
type Runner struct {
	opts    Options
	log     *slog.Logger
	clock   Clock
	metrics *metrics
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu       sync.Mutex
	sessions map[string]*session // node + "/" + channel id
	surveys  map[int64]loaded    // the last definitions loaded, by the id asked for (0: the default)

	replayMu sync.Mutex // one replay of the journal at a time
}

// NewRunner builds a runner; Close stops it.
func NewRunner(opts Options) *Runner {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.App == "" {
		opts.App = "hotline"
	}
	if opts.FollowUps == nil && opts.Timeline != nil {
		opts.FollowUps = TimelineFollowUps{Timeline: opts.Timeline}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{opts: opts, log: opts.Logger, clock: opts.Clock, metrics: newMetrics(opts.Registerer, opts.Journal, opts.Agents),
		ctx: ctx, cancel: cancel, sessions: map[string]*session{}, surveys: map[int64]loaded{}}
	if opts.Journal != nil {
		r.wg.Add(1)
		go r.replayLoop()
	}
	return r
}

// e164 is number in E.164 when Options.Phone can say it, else as received.
func (r *Runner) e164(number string) string {
	if r.opts.Phone == nil || number == "" {
		return number
	}
	if n, err := r.opts.Phone(number); err == nil {
		return n
	}
	return number
}

// Close hangs up nothing, stops every session (their responses stay in
// progress until Recover) and the journal's replay, and waits for them.
// Journaled writes not yet replayed stay in the journal for the next runner.
func (r *Runner) Close() {
	r.cancel()
	r.wg.Wait()
}

// Active returns the number of surveys being played.
func (r *Runner) Active() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sessions)
}

// Recover closes the responses of node left in progress by a previous
// process (it died mid-survey): they become partial, or no_input without
// answers, and their channels, which no one plays to any more, are hung
// up. Writes the previous process journaled are replayed first, so that
// their answers and final states count. Call it once per node at start,
// before events flow.
func (r *Runner) Recover(ctx context.Context, node string) (int, error) {
	if err := r.Replay(ctx); err != nil {
		return 0, fmt.Errorf("survey: recover responses of %s: %w", node, err)
	}
	if _, _, _, err := r.open(ctx, SessionQuery{}); err != nil {
		r.log.Warn("survey: cannot load the default survey", slog.Any("err", err))
	}
	channels, err := r.opts.Store.AbandonResponses(ctx, node, r.clock.Now())
	if err != nil {
		return 0, fmt.Errorf("survey: recover responses of %s: %w", node, err)
	}
	if len(channels) > 0 && r.opts.ARI != nil {
		if c := r.opts.ARI(node); c != nil {
			for _, id := range channels {
				if err := c.Channels().Hangup(ctx, id, "normal"); err != nil && !ari.IsNotFound(err) {
					r.log.Warn("survey: hang up an abandoned survey", slog.String("channel", id), slog.Any("err", err))
				}
			}
		}
	}
	return len(channels), nil
}

// Handle takes one ARI event. It never blocks on the network: a StasisStart
// for the survey starts a session goroutine, and the session's DTMF,
// playback and hang-up events are queued to it.
func (r *Runner) Handle(m ari.Message) {
	switch m.Type {
	case ari.TypeStasisStart, ari.TypeChannelDtmfReceived, ari.TypePlaybackFinished, ari.TypeStasisEnd, ari.TypeChannelHangupRequest, ari.TypeChannelDestroyed:
	default:
		return
	}
	if m.Type != ari.TypeStasisStart && r.Active() == 0 {
		return
	}
	ev, err := m.Decode()
	if err != nil {
		r.log.Warn("survey: undecodable event", slog.String("type", m.Type), slog.Any("err", err))
		return
	}
	switch e := ev.(type) {
	case *ari.StasisStart:
		if e.Application == r.opts.App || e.Application == "" {
			r.start(m.Node, e)
		}
	case *ari.ChannelDtmfReceived:
		r.deliver(m.Node, e.Channel.ID, e)
	case *ari.PlaybackFinished:
		if id, ok := strings.CutPrefix(e.Playback.TargetURI, "channel:"); ok {
			r.deliver(m.Node, id, e)
		}
	case *ari.StasisEnd:
		r.hangup(m.Node, e.Channel.ID)
	case *ari.ChannelHangupRequest:
		r.hangup(m.Node, e.Channel.ID)
	case *ari.ChannelDestroyed:
		r.hangup(m.Node, e.Channel.ID)
	}
}

// parseArgs reads Stasis arguments: survey[,<id>[,...]]; ok is false for
// other applications of the Stasis app.
func parseArgs(args []string) (id int64, ok bool, err error) {
	if len(args) == 0 || args[0] != "survey" {
		return 0, false, nil
	}
	if len(args) < 2 || args[1] == "" {
		return 0, true, nil
	}
	id, err = strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		return 0, true, fmt.Errorf("survey id %q is not a positive number", args[1])
	}
	return id, true, nil
}

func (r *Runner) start(node string, e *ari.StasisStart) {
	id, ok, err := parseArgs(e.Args)
	if !ok {
		return
	}
	key := node + "/" + e.Channel.ID
	r.mu.Lock()
	if r.sessions[key] != nil || r.ctx.Err() != nil {
		r.mu.Unlock()
		return
	}
	s := newSession(r, node, e.Channel, id)
	r.sessions[key] = s
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer r.forget(key)
		if err != nil {
			s.log.Warn("survey: bad Stasis arguments, using the default survey", slog.Any("err", err))
			s.surveyID = 0
		}
		s.run()
	}()
}

func (r *Runner) forget(key string) {
	r.mu.Lock()
	delete(r.sessions, key)
	r.mu.Unlock()
}

func (r *Runner) session(node, channel string) *session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[node+"/"+channel]
}

func (r *Runner) deliver(node, channel string, ev ari.Event) {
	s := r.session(node, channel)
	if s == nil {
		return
	}
	select {
	case s.inbox <- ev:
	default:
		s.log.Warn("survey: session inbox full, event dropped", slog.String("type", ev.Base().Type))
	}
}

func (r *Runner) hangup(node, channel string) {
	if s := r.session(node, channel); s != nil {
		s.gone.Do(func() { close(s.goneCh) })
	}
}

// client returns the ARI client for node.
func (r *Runner) client(node string) (ARI, error) {
	if r.opts.ARI == nil {
		return nil, errors.New("survey: no ARI client configured")
	}
	c := r.opts.ARI(node)
	if c == nil {
		return nil, fmt.Errorf("survey: no ARI client for node %q", node)
	}
	return c, nil
}

// loaded is a survey definition as last loaded, with its version.
type loaded struct {
	sv      Survey
	version int64
}

// open reads the survey q asks for (0: the default one) and the call's
// link (inserting q.Start). The definition is remembered and sent again
// only when it changed; when the store fails other than for good (not
// found, a conflict), open returns the definition as last loaded (and no
// link, q.Start not inserted), so that a database outage does not stop
// surveys. fallback is set when the survey asked for no longer
// exists and the default one is returned.
func (r *Runner) open(ctx context.Context, q SessionQuery) (sv Survey, link CallLink, fallback bool, err error) {
	r.mu.Lock()
	known, ok := r.surveys[q.SurveyID]
	r.mu.Unlock()
	if ok {
		q.KnownID, q.KnownVersion = known.sv.ID, known.version
	}
	o, err := r.opts.Store.OpenSession(ctx, q)
	if err != nil {
		if !permanent(err) && q.Node != "" {
			r.log.Warn("survey: cannot link the call", slog.Any("err", err))
		}
		if ok && !permanent(err) {
			r.log.Warn("survey: cannot load the survey, playing it as last loaded", slog.Int64("survey", q.SurveyID), slog.Any("err", err))
			return known.sv, CallLink{}, false, nil
		}
		return Survey{}, CallLink{}, false, err
	}
	sv = o.Survey
	if o.Unchanged {
		sv = known.sv
		sv.Default, sv.CreatedAt, sv.UpdatedAt = o.Survey.Default, o.Survey.CreatedAt, o.Survey.UpdatedAt
	}
	key := q.SurveyID
	if o.Fallback {
		key = 0
	}
	r.mu.Lock()
	r.surveys[key] = loaded{sv: sv, version: o.Version}
	r.metrics.loaded(sv)
	r.mu.Unlock()
	return sv, o.Link, o.Fallback, nil
}
