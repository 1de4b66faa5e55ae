// Package statusline is the service desk's self-service phone line: a
// caller who enters Stasis(hotline,status) is matched to a client by their
// number and hears the number and status of their latest open request,
// spoken with Asterisk's core sounds (the number digit by digit, the status
// spelled with letters unless recorded prompts are configured), then the
// line hangs up. The call is attached to the request's thread.
package statusline

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hotline/crm"
	"hotline/crm/phone"
	"hotline/crm/service"
	"hotline/telephony/ari"
)

// ARI is what the line needs from an Asterisk node (*ari.Client).
type ARI interface {
	Channels() ari.Channels
}

var _ ARI = (*ari.Client)(nil)

// Store finds the caller's client and latest open request (crm/postgres.Store).
type Store interface {
	FindClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error)
	LatestOpenTicket(ctx context.Context, clientIDs []int64) (service.Ticket, error)
	LinkTicketCall(ctx context.Context, ticketID int64, linkedid string, user *int64) error
}

// Prompts are the media URIs played. Zero fields get the defaults, which
// use only Asterisk core sounds.
type Prompts struct {
	Greeting  []string // default sound:hello-world
	NoRequest []string // unknown caller or nothing open; default letters n, o
	Goodbye   []string // default sound:vm-goodbye
	// Status words per status; default: the status spelled with
	// sound:letters/x (words separated by sound:silence/1).
	Status map[service.Status][]string
}

// Options configure a Line. Store and ARI are required.
type Options struct {
	Store Store
	// ARI gives the REST client of the node the event came from.
	ARI     func(node string) ARI
	App     string // Stasis application; default "hotline"
	Trigger string // first Stasis argument; default "status"
	Region  string // default region for caller numbers; default RU
	Prompts Prompts
	// MaxCall bounds one call (a lost PlaybackFinished cannot hold a channel); default 2 minutes.
	MaxCall time.Duration
	Logger  *slog.Logger
}

// Line answers status calls. Feed it every ARI event with Handle; Close
// stops it.
type Line struct {
	o      Options
	norm   phone.Normalizer
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	calls map[string]*call // node/channel
}

// New builds a status line.
func New(o Options) *Line {
	if o.App == "" {
		o.App = "hotline"
	}
	if o.Trigger == "" {
		o.Trigger = "status"
	}
	if o.MaxCall <= 0 {
		o.MaxCall = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Prompts.Greeting == nil {
		o.Prompts.Greeting = []string{"sound:hello-world"}
	}
	if o.Prompts.NoRequest == nil {
		o.Prompts.NoRequest = []string{"sound:letters/n", "sound:letters/o"}
	}
	if o.Prompts.Goodbye == nil {
		o.Prompts.Goodbye = []string{"sound:vm-goodbye"}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Line{o: o, norm: phone.Normalizer{Region: o.Region}, ctx: ctx, cancel: cancel, calls: map[string]*call{}}
}

// Run blocks until ctx ends, then stops every call in progress (their
// channels are hung up) and returns ctx's error.
func (l *Line) Run(ctx context.Context) error {
	<-ctx.Done()
	l.Close()
	return ctx.Err()
}

// Close stops the line and waits for its calls.
func (l *Line) Close() {
	l.cancel()
	l.wg.Wait()
}

// Active returns the number of calls being served.
func (l *Line) Active() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// Handle takes one ARI event without blocking on the network.
func (l *Line) Handle(m ari.Message) {
	switch m.Type {
	case "StasisStart", "PlaybackFinished", "StasisEnd", "ChannelHangupRequest", "ChannelDestroyed":
	default:
		return
	}
	if m.Type != "StasisStart" && l.Active() == 0 {
		return
	}
	ev, err := m.Decode()
	if err != nil {
		l.o.Logger.Warn("status line: undecodable event", slog.String("type", m.Type), slog.Any("err", err))
		return
	}
	switch e := ev.(type) {
	case *ari.StasisStart:
		if (e.Application == l.o.App || e.Application == "") && len(e.Args) > 0 && e.Args[0] == l.o.Trigger {
			l.start(m.Node, e.Channel)
		}
	case *ari.PlaybackFinished:
		if id, ok := strings.CutPrefix(e.Playback.TargetURI, "channel:"); ok {
			if c := l.call(m.Node, id); c != nil {
				c.finished(e.Playback.ID)
			}
		}
	case *ari.StasisEnd:
		l.gone(m.Node, e.Channel.ID)
	case *ari.ChannelHangupRequest:
		l.gone(m.Node, e.Channel.ID)
	case *ari.ChannelDestroyed:
		l.gone(m.Node, e.Channel.ID)
	}
}

func (l *Line) call(node, id string) *call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[node+"/"+id]
}

func (l *Line) gone(node, id string) {
	if c := l.call(node, id); c != nil {
		c.hangup.Do(func() { close(c.goneCh) })
	}
}

func (l *Line) start(node string, ch ari.Channel) {
	key := node + "/" + ch.ID
	l.mu.Lock()
	if l.calls[key] != nil || l.ctx.Err() != nil {
		l.mu.Unlock()
		return
	}
	if l.o.ARI == nil || l.o.ARI(node) == nil {
		l.mu.Unlock()
		l.o.Logger.Error("status line: no ARI client for node", slog.String("node", node))
		return
	}
	c := &call{l: l, node: node, ch: ch, ari: l.o.ARI(node), goneCh: make(chan struct{}), done: map[string]bool{},
		doneCh: make(chan struct{}, 16), log: l.o.Logger.With(slog.String("channel", ch.ID))}
	l.calls[key] = c
	l.wg.Add(1)
	l.mu.Unlock()
	go func() {
		defer l.wg.Done()
		defer func() {
			l.mu.Lock()
			delete(l.calls, key)
			l.mu.Unlock()
		}()
		c.run()
	}()
}

// spell turns a status into letter prompts: "in_progress" -> i, n, pause, p, r, ...
func spell(s service.Status) []string {
	var out []string
	for i, w := range strings.Split(string(s), "_") {
		if i > 0 {
			out = append(out, "sound:silence/1")
		}
		for _, r := range w {
			out = append(out, fmt.Sprintf("sound:letters/%c", r))
		}
	}
	return out
}

// Prompt returns the media a caller hears for their latest open request
// (nil ticket: none found).
func (p Prompts) Prompt(t *service.Ticket) []string {
	out := append([]string{}, p.Greeting...)
	if t == nil {
		out = append(out, p.NoRequest...)
		return append(out, p.Goodbye...)
	}
	out = append(out, fmt.Sprintf("digits:%d", t.ID))
	if words, ok := p.Status[t.Status]; ok {
		out = append(out, words...)
	} else {
		out = append(out, spell(t.Status)...)
	}
	return append(out, p.Goodbye...)
}
