package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// userAgent names callgen in its From display name, Contact and
// User-Agent header, so a PBX's logs show where test calls come from.
const userAgent = "hotline-callgen"

// allowHeader lists the requests callgen's user agent (diago) handles
// within a call. RFC 3261 13.2.1: an INVITE SHOULD carry Allow, so that the
// PBX knows, e.g., not to refresh the session with UPDATE; SIPp showed it
// was missing.
func allowHeader() sip.Header {
	return sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
}

// Options configure a Generator.
type Options struct {
	// Target is the number to call at the PBX, e.g. sip:7001@asterisk:5060.
	Target string
	// User and Password answer the PBX's digest challenge (the callgen
	// endpoint's auth); empty when the target does not authenticate.
	User, Password string
	// From formats each call's caller number from its sequence number
	// (1, 2, ...) with fmt, e.g. "+7999000%04d" (the default).
	From string
	// Rate is how many calls start per second (default 1); Concurrency the
	// most calls at once (default 1); Calls the number of calls (default 1).
	Rate        float64
	Concurrency int
	Calls       int
	Script      []Step
	// Transport is udp (default) or tcp; BindHost the local address for
	// SIP and RTP (default: the address that routes to the target).
	Transport string
	BindHost  string
	Logger    *slog.Logger
}

// Result is what happened to one generated call.
type Result struct {
	N        int
	From     string
	CallID   string
	Answered bool
	Digits   string // digits sent
	// RemoteHangup is true when the other side ended the call first.
	RemoteHangup bool
	Started      time.Time
	Duration     time.Duration
	Err          error
}

// Generator places SIP calls. Close it when done.
type Generator struct {
	opts   Options
	target sip.Uri
	ua     *sipgo.UserAgent
	dg     *diago.Diago
	log    *slog.Logger
}

// NewGenerator checks opts and prepares the SIP user agent.
func NewGenerator(opts Options) (*Generator, error) {
	g := &Generator{opts: opts, log: opts.Logger}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if err := sip.ParseUri(opts.Target, &g.target); err != nil || g.target.Host == "" || g.target.User == "" {
		return nil, fmt.Errorf("callgen: target %q: want sip:NUMBER@HOST[:PORT]", opts.Target)
	}
	if g.opts.From == "" {
		g.opts.From = "+7999000%04d"
	}
	if g.opts.Rate <= 0 {
		g.opts.Rate = 1
	}
	g.opts.Concurrency = max(g.opts.Concurrency, 1)
	g.opts.Calls = max(g.opts.Calls, 1)
	if len(g.opts.Script) == 0 {
		g.opts.Script = []Step{{Kind: StepRing}, {Kind: StepTalk, Dur: 5 * time.Second}, {Kind: StepHangup}}
	}
	if g.opts.Transport == "" {
		g.opts.Transport = "udp"
	}
	if g.opts.BindHost == "" {
		host, err := localAddrFor(g.target, g.opts.Transport)
		if err != nil {
			return nil, err
		}
		g.opts.BindHost = host
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(userAgent))
	if err != nil {
		return nil, fmt.Errorf("callgen: user agent: %w", err)
	}
	g.ua = ua
	g.dg = diago.NewDiago(ua, diago.WithLogger(g.log),
		diago.WithTransport(diago.Transport{Transport: g.opts.Transport, BindHost: g.opts.BindHost, BindPort: 0}))
	return g, nil
}

// localAddrFor returns the local IP that routes to the target.
func localAddrFor(u sip.Uri, transport string) (string, error) {
	port := u.Port
	if port == 0 {
		port = 5060
	}
	c, err := net.Dial("udp", net.JoinHostPort(u.Host, strconv.Itoa(port)))
	if err != nil {
		return "", fmt.Errorf("callgen: no route to %s (%s): %w", u.Host, transport, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

// Close releases the user agent.
func (g *Generator) Close() { _ = g.ua.Close() }

// Run places the calls at the configured rate and concurrency and returns
// one Result per call, in order. It stops starting calls when ctx ends.
func (g *Generator) Run(ctx context.Context) []Result {
	results := make([]Result, g.opts.Calls)
	sem := make(chan struct{}, g.opts.Concurrency)
	interval := time.Duration(float64(time.Second) / g.opts.Rate)
	var wg sync.WaitGroup
	next := time.Now()
	for i := range results {
		n := i + 1
		results[i] = Result{N: n, From: fmt.Sprintf(g.opts.From, n)}
		if d := time.Until(next); d > 0 && !sleepCtx(ctx, d) {
			results[i].Err = ctx.Err()
			continue
		}
		next = next.Add(interval)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			results[i].Err = ctx.Err()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			g.call(ctx, &results[i])
		})
	}
	wg.Wait()
	return results
}

// call places one call and follows the script.
func (g *Generator) call(ctx context.Context, r *Result) {
	r.Started = time.Now()
	defer func() { r.Duration = time.Since(r.Started) }()
	ring := 60 * time.Second
	if d := g.opts.Script[0].Dur; d > 0 {
		ring = d
	}
	ictx, cancel := context.WithTimeout(ctx, ring)
	defer cancel()
	from := &sip.FromHeader{DisplayName: "hotline-callgen", Address: sip.Uri{User: r.From, Host: g.target.Host}, Params: sip.NewParams()}
	d, med, err := g.invite(ictx, from, ring)
	if err != nil {
		r.Err = err
		return
	}
	defer d.Close()
	r.Answered = true
	r.CallID = d.DialogSIP().InviteRequest.CallID().Value()
	g.log.Debug("callgen: answered", "n", r.N, "from", r.From, "call_id", r.CallID)
	for _, st := range g.opts.Script[1:] {
		if d.Context().Err() != nil {
			r.RemoteHangup = true
			return
		}
		if err := g.step(ctx, d, med, st, r); err != nil {
			if d.Context().Err() != nil {
				r.RemoteHangup = true
				return
			}
			r.Err = fmt.Errorf("%s: %w", st, err)
			break
		}
	}
	if d.Context().Err() != nil {
		r.RemoteHangup = true
		return
	}
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	if err := d.Hangup(hctx); err != nil && r.Err == nil && d.Context().Err() == nil {
		r.Err = fmt.Errorf("hang up: %w", err)
	}
}

// invite places the INVITE and waits for the answer, at most ring: a
// transaction that outlives it is hung up in the background.
func (g *Generator) invite(ctx context.Context, from *sip.FromHeader, ring time.Duration) (*diago.DialogClientSession, *diago.DialogMedia, error) {
	type answer struct {
		d   *diago.DialogClientSession
		med *diago.DialogMedia
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		d, med, err := g.dg.Invite(ctx, g.target, diago.InviteOptions{
			Transport: g.opts.Transport, Username: g.opts.User, Password: g.opts.Password,
			Headers: []sip.Header{from, allowHeader(), sip.NewHeader("User-Agent", userAgent)},
		})
		ch <- answer{d, med, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			return nil, nil, fmt.Errorf("invite: %w", a.err)
		}
		return a.d, a.med, nil
	case <-ctx.Done():
		go func() {
			if a := <-ch; a.d != nil {
				hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = a.d.Hangup(hctx)
				_ = a.d.Close()
			}
		}()
		return nil, nil, fmt.Errorf("invite: no answer within %v", ring)
	}
}

func (g *Generator) step(ctx context.Context, d *diago.DialogClientSession, med *diago.DialogMedia, st Step, r *Result) error {
	switch st.Kind {
	case StepTalk:
		return talk(ctx, d, med, st.Dur)
	case StepWait:
		if !sleepCtx(mergeDone(ctx, d.Context()), st.Dur) && ctx.Err() != nil {
			return ctx.Err()
		}
	case StepDTMF:
		return sendDigits(mergeDone(ctx, d.Context()), med, st.Digits, func(digit rune) { r.Digits += string(digit) })
	}
	return nil
}

// talk plays a 440 Hz tone for dur (or until either side ends the call).
func talk(ctx context.Context, d *diago.DialogClientSession, med *diago.DialogMedia, dur time.Duration) error {
	pb, err := med.PlaybackCreate()
	if err != nil {
		return fmt.Errorf("playback: %w", err)
	}
	cctx, cancel := context.WithTimeout(mergeDone(ctx, d.Context()), dur)
	defer cancel()
	_, err = pb.Play(&tone{ctx: cctx, rate: int(pb.Codec().SampleRate), hz: 440}, "audio/pcm")
	if err != nil && cctx.Err() == nil {
		return err
	}
	return nil
}

// tone is 16-bit little-endian PCM of a sine wave, ending with ctx.
type tone struct {
	ctx      context.Context
	rate, hz int
	n        int
}

func (t *tone) Read(p []byte) (int, error) {
	if t.ctx.Err() != nil {
		return 0, io.EOF
	}
	if t.rate <= 0 {
		t.rate = 8000
	}
	i := 0
	for ; i+1 < len(p); i += 2 {
		v := int16(8000 * math.Sin(2*math.Pi*float64(t.hz)*float64(t.n)/float64(t.rate)))
		p[i], p[i+1] = byte(v), byte(uint16(v)>>8)
		t.n++
	}
	return i, nil
}

// mergeDone returns a context done when either a or b is.
func mergeDone(a, b context.Context) context.Context {
	ctx, cancel := context.WithCancel(a)
	context.AfterFunc(b, cancel)
	return ctx
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// ErrSomeFailed is returned by Summary when a call failed.
var ErrSomeFailed = errors.New("some calls failed")
