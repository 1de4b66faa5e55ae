package survey

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hotline/telephony/ari"
)

// CampaignStore is what the dialer needs from the database. Every decision
// is stored before a call is placed, so a restarted dialer continues
// without calling anyone twice.
type CampaignStore interface {
	// RunningCampaigns returns the campaigns in state running.
	RunningCampaigns(ctx context.Context) ([]Campaign, error)
	// ClaimAttempts marks up to what the campaign's pacing allows at now
	// (concurrent calls, calls in the last minute) of its due pending
	// contacts as calling, records their attempts and returns them.
	ClaimAttempts(ctx context.Context, c Campaign, now time.Time) ([]Attempt, error)
	// EndAttempt closes the attempt on channelID: a contact whose survey
	// response exists (or whose result is answered) is done, otherwise the
	// contact is retried after the campaign's delay or fails after its last attempt.
	// ok is false when no open attempt has that channel.
	EndAttempt(ctx context.Context, channelID, result string, now time.Time) (ok bool, err error)
	// OpenAttempts returns the attempts still marked calling.
	OpenAttempts(ctx context.Context) ([]Attempt, error)
	// CompleteCampaigns marks running campaigns with no pending or calling contact done.
	CompleteCampaigns(ctx context.Context) error
}

// DialerOptions configure a Dialer. Store and ARI are required.
type DialerOptions struct {
	Store CampaignStore
	ARI   ARI
	App   string // Stasis application; default "hotline"
	// Context is the dialplan context that dials out (HOTLINE_DIAL_CONTEXT,
	// as click-to-call): each number is dialled as Local/<number>@<Context>,
	// so the PBX's own dialplan picks the trunk. Empty: PJSIP/<number>@pstn.
	Context string
	// Endpoint, if set, turns a contact's number into the endpoint to dial
	// instead (tests dial simulated customers with it).
	Endpoint func(phone string) string
	// Variables are channel variables for an attempt (nil: none).
	Variables func(a Attempt) map[string]string
	// RingTimeout in seconds before an unanswered call is given up (30).
	RingTimeout int
	// Tick is how often campaigns are paced (1 s); reconciliation with the
	// PBX runs every 30 ticks and at start.
	Tick   time.Duration
	Clock  Clock
	Logger *slog.Logger
}

type ended struct {
	channel string
	result  string
}

// Dialer places the calls of running campaigns into
// Stasis(<app>,survey,<survey id>) and records each attempt's result.
// Feed it every ARI event with Handle and run it with Run.
type Dialer struct {
	opts  DialerOptions
	log   *slog.Logger
	ended chan ended

	mu       sync.Mutex
	answered map[string]bool // campaign channels that entered Stasis
}

// NewDialer builds a dialer.
func NewDialer(opts DialerOptions) *Dialer {
	if opts.App == "" {
		opts.App = "hotline"
	}
	if opts.Endpoint == nil {
		opts.Endpoint = dialEndpoint(opts.Context)
	}
	if opts.RingTimeout <= 0 {
		opts.RingTimeout = 30
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Dialer{opts: opts, log: opts.Logger, ended: make(chan ended, 4096), answered: map[string]bool{}}
}

// dialEndpoint dials a number through the dialplan context, or straight to
// the pstn trunk without one.
func dialEndpoint(context string) func(phone string) string {
	if context == "" {
		return func(p string) string { return "PJSIP/" + p + "@pstn" }
	}
	return func(p string) string { return "Local/" + p + "@" + context }
}

// Handle takes one ARI event: a campaign channel entering Stasis is
// answered, its end is queued for Run. It never blocks; an end lost to a
// full queue is found by reconciliation.
func (d *Dialer) Handle(m ari.Message) {
	if (m.Type != ari.TypeChannelDestroyed && m.Type != ari.TypeStasisStart) || !strings.Contains(string(m.Raw), ChannelPrefix) {
		return
	}
	ev, err := m.Decode()
	if err != nil {
		return
	}
	switch e := ev.(type) {
	case *ari.StasisStart:
		if strings.HasPrefix(e.Channel.ID, ChannelPrefix) {
			d.mu.Lock()
			d.answered[e.Channel.ID] = true
			d.mu.Unlock()
		}
	case *ari.ChannelDestroyed:
		if !strings.HasPrefix(e.Channel.ID, ChannelPrefix) {
			return
		}
		result := AttemptResult(e.Cause)
		d.mu.Lock()
		if d.answered[e.Channel.ID] {
			result = ResultAnswered
		}
		delete(d.answered, e.Channel.ID)
		d.mu.Unlock()
		select {
		case d.ended <- ended{e.Channel.ID, result}:
		default:
			d.log.Warn("survey dialer: end queue full", slog.String("channel", e.Channel.ID))
		}
	}
}

// Run reconciles open attempts with the PBX, then paces campaigns every
// tick until ctx ends.
func (d *Dialer) Run(ctx context.Context) error {
	d.reconcile(ctx)
	tick := 0
	for {
		d.drain(ctx)
		active, err := d.step(ctx)
		if err != nil {
			d.log.Error("survey dialer: step", slog.Any("err", err))
		}
		// With no campaign running the dialer looks again every
		// idleTicks ticks, not every tick: an idle service stays idle.
		ticks := 1
		if !active && err == nil {
			ticks = idleTicks
		}
		if tick += ticks; tick >= 30 {
			tick = 0
			d.reconcile(ctx)
		}
		next := time.Duration(ticks) * d.opts.Tick
		wake := make(chan struct{})
		t := d.opts.Clock.AfterFunc(next, func() { close(wake) })
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
		case e := <-d.ended:
			t.Stop()
			d.end(ctx, e.channel, e.result)
		}
	}
}

func (d *Dialer) drain(ctx context.Context) {
	for {
		select {
		case e := <-d.ended:
			d.end(ctx, e.channel, e.result)
		default:
			return
		}
	}
}

func (d *Dialer) end(ctx context.Context, channel, result string) {
	if _, err := d.opts.Store.EndAttempt(ctx, channel, result, d.opts.Clock.Now()); err != nil {
		d.log.Error("survey dialer: end attempt", slog.String("channel", channel), slog.Any("err", err))
	}
}

// idleTicks is how many ticks the dialer waits while no campaign runs (a
// campaign started meanwhile begins calling within that long).
const idleTicks = 10

// Step places the calls every running campaign may place now.
func (d *Dialer) Step(ctx context.Context) error {
	_, err := d.step(ctx)
	return err
}

// step is Step; active reports whether a campaign is running.
func (d *Dialer) step(ctx context.Context) (active bool, err error) {
	list, err := d.opts.Store.RunningCampaigns(ctx)
	if err != nil {
		return false, fmt.Errorf("running campaigns: %w", err)
	}
	if len(list) == 0 {
		return false, nil
	}
	now := d.opts.Clock.Now()
	for _, c := range list {
		if !c.InWindow(now) {
			continue
		}
		attempts, err := d.opts.Store.ClaimAttempts(ctx, c, now)
		if err != nil {
			return true, fmt.Errorf("campaign %d: claim contacts: %w", c.ID, err)
		}
		for _, a := range attempts {
			d.call(ctx, a)
		}
	}
	return true, d.opts.Store.CompleteCampaigns(ctx)
}

// call originates one attempt; a refused originate ends it as failed.
func (d *Dialer) call(ctx context.Context, a Attempt) {
	p := ari.OriginateParams{Endpoint: d.opts.Endpoint(a.Phone), App: d.opts.App,
		AppArgs: fmt.Sprintf("survey,%d", a.SurveyID), CallerID: a.CallerID, Timeout: d.opts.RingTimeout,
		ChannelID: a.ChannelID}
	if d.opts.Variables != nil {
		p.Variables = d.opts.Variables(a)
	}
	if _, err := d.opts.ARI.Channels().Originate(ctx, p); err != nil {
		d.log.Warn("survey dialer: originate", slog.Int64("contact", a.ContactID), slog.Any("err", err))
		d.end(ctx, a.ChannelID, ResultFailed)
	}
}

// reconcile ends the open attempts whose channel no longer exists (their
// end was missed, e.g. while Hotline was down).
func (d *Dialer) reconcile(ctx context.Context) {
	open, err := d.opts.Store.OpenAttempts(ctx)
	if err != nil {
		d.log.Error("survey dialer: open attempts", slog.Any("err", err))
		return
	}
	for _, a := range open {
		_, err := d.opts.ARI.Channels().Get(ctx, a.ChannelID)
		if ari.IsNotFound(err) {
			d.end(ctx, a.ChannelID, ResultLost)
		} else if err != nil {
			d.log.Warn("survey dialer: check channel", slog.String("channel", a.ChannelID), slog.Any("err", err))
		}
	}
}
