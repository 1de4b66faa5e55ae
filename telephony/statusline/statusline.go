// Package statusline is the service desk's self-service phone line: a
// caller who enters Stasis(hotline,status) is matched to a client by their
// number and hears, in their language, the state of every open request of
// theirs: "Ваша заявка номер 1234: в работе, ответственный Анна Смирнова,
// срок ответа до 15:00 9 декабря". The phrases come from the message
// catalogue and are synthesized (or recorded, see telephony/voice); the
// request number is Asterisk's number: media in the channel's language.
// A key repeats the message, another leaves Stasis to reach an agent (the
// dialplan's next priority after Stasis, a queue in deploy/asterisk); the
// call is attached to each request's thread.
//
// The line is an ARI application like the survey runner; the service desk
// (crm/service) knows nothing of it.
package statusline

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hotline/crm"
	"hotline/crm/phone"
	"hotline/crm/service"
	"hotline/internal/i18n"
	"hotline/telephony/ari"
)

// ARI is what the line needs from an Asterisk node (*ari.Client).
type ARI interface {
	Channels() ari.Channels
	Playbacks() ari.Playbacks
}

var _ ARI = (*ari.Client)(nil)

// ClientFinder finds the caller's clients by number.
type ClientFinder interface {
	FindClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error)
}

// TicketReader reads the callers' open requests and links the call to them.
type TicketReader interface {
	// OpenTicketsOf returns the open requests of the clients, newest first, at most limit.
	OpenTicketsOf(ctx context.Context, clientIDs []int64, limit int) ([]service.Ticket, error)
	LinkTicketCall(ctx context.Context, ticketID int64, linkedid string, user *int64) error
}

// Words are the line's phrases in a language: the message catalogue's
// "voice.status.*" texts, and the centre's time zone for due times.
type Words interface {
	T(lang, key string, args map[string]any) string
	N(lang, key string, n int, args map[string]any) string
	Zone() *time.Location
}

// CatalogueWords are the phrases of the message catalogue.
func CatalogueWords(c *i18n.Catalogue) Words { return catalogueWords{c} }

type catalogueWords struct{ c *i18n.Catalogue }

func (w catalogueWords) T(lang, key string, args map[string]any) string {
	return w.c.For(i18n.Lang(lang)).T(key, args)
}

func (w catalogueWords) N(lang, key string, n int, args map[string]any) string {
	return w.c.For(i18n.Lang(lang)).N(key, n, args)
}

func (w catalogueWords) Zone() *time.Location { return w.c.Zone() }

// Speaker makes the media URI speaking a text in a language (*voice.Voice).
type Speaker interface {
	Media(ctx context.Context, lang, text string) (string, error)
}

// Keys the caller presses after the message.
const (
	KeyRepeat = "1"
	KeyAgent  = "0"
)

// MaxTickets bounds the requests read out in one call (the newest).
const MaxTickets = 10

// UserFinder names the person responsible for a request (crm.UserService has it).
type UserFinder interface {
	GetUser(ctx context.Context, id int64) (crm.User, error)
}

// Options configure a Line. Clients, Tickets, Users, ARI, Words and Speech
// are required.
type Options struct {
	Clients ClientFinder
	Tickets TicketReader
	Users   UserFinder
	// ARI gives the REST client of the node the event came from.
	ARI    func(node string) ARI
	Words  Words
	Speech Speaker
	// Language is the centre's language (HOTLINE_LANGUAGE), for callers
	// whose client has none or who are unknown; default "ru".
	Language string
	App      string // Stasis application; default "hotline"
	Trigger  string // first Stasis argument; default "status"
	Region   string // default region for caller numbers; default RU
	// MenuWait is how long the line waits for a key after the message;
	// default 8 s. Repeats bounds how many times it is read; default 3.
	MenuWait time.Duration
	Repeats  int
	// MaxCall bounds one call (a lost PlaybackFinished cannot hold a channel); default 5 minutes.
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
	if o.Language == "" {
		o.Language = "ru"
	}
	if o.MenuWait <= 0 {
		o.MenuWait = 8 * time.Second
	}
	if o.Repeats <= 0 {
		o.Repeats = 3
	}
	if o.MaxCall <= 0 {
		o.MaxCall = 5 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
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
	case ari.TypeStasisStart, ari.TypePlaybackFinished, ari.TypeChannelDtmfReceived, ari.TypeStasisEnd, ari.TypeChannelHangupRequest, ari.TypeChannelDestroyed:
	default:
		return
	}
	if m.Type != ari.TypeStasisStart && l.Active() == 0 {
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
				c.deliver(e)
			}
		}
	case *ari.ChannelDtmfReceived:
		if c := l.call(m.Node, e.Channel.ID); c != nil {
			c.deliver(e)
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
	c := &call{l: l, node: node, ch: ch, ari: l.o.ARI(node), goneCh: make(chan struct{}),
		inbox: make(chan ari.Event, 16), log: l.o.Logger.With(slog.String("channel", ch.ID))}
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
