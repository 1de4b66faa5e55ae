package statusline

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hotline/crm"
	"hotline/crm/service"
	"hotline/telephony/ari"
)

// call is one caller on the status line; its goroutine owns the channel.
type call struct {
	l      *Line
	node   string
	ch     ari.Channel
	ari    ARI
	log    *slog.Logger
	inbox  chan ari.Event // PlaybackFinished and DTMF of this channel
	hangup sync.Once
	goneCh chan struct{}
	seq    int
}

func (c *call) deliver(ev ari.Event) {
	select {
	case c.inbox <- ev:
	default:
		c.log.Warn("status line: inbox full, event dropped", slog.String("type", ev.Base().Type))
	}
}

// Request is one open request as the line reads it out.
type Request struct {
	Ticket   service.Ticket
	Assignee string // the responsible person's name; "" = nobody yet
}

// Piece is one part of what the caller hears: a text to speak or a media URI.
type Piece struct {
	Text  string
	Media string
}

// Script is what a caller hears in lang about their open requests (none:
// the line found nothing), before the menu.
func Script(w Words, lang string, reqs []Request) []Piece {
	out := []Piece{{Text: w.T(lang, "voice.status.greeting", nil)}}
	if len(reqs) == 0 {
		return append(out, Piece{Text: w.T(lang, "voice.status.none", nil)})
	}
	if len(reqs) > 1 {
		out = append(out, Piece{Text: w.N(lang, "voice.status.count", len(reqs), map[string]any{"Count": len(reqs)})})
	}
	for _, r := range reqs {
		out = append(out, Piece{Text: w.T(lang, "voice.status.request", nil)},
			Piece{Media: fmt.Sprintf("number:%d", r.Ticket.ID)},
			Piece{Text: details(w, lang, r)})
	}
	return out
}

// details: "в работе, ответственный Анна Смирнова, срок ответа до 15:00 9 декабря".
func details(w Words, lang string, r Request) string {
	parts := []string{w.T(lang, "voice.status.state."+string(r.Ticket.Status), nil)}
	if r.Assignee != "" {
		parts = append(parts, w.T(lang, "voice.status.assignee", map[string]any{"Name": r.Assignee}))
	} else {
		parts = append(parts, w.T(lang, "voice.status.unassigned", nil))
	}
	key, due := "voice.status.resolve_due", r.Ticket.SLA.ResolveDue
	if r.Ticket.SLA.RespondedAt == nil && r.Ticket.SLA.ResponseDue != nil {
		key, due = "voice.status.response_due", r.Ticket.SLA.ResponseDue
	}
	if due != nil {
		t := due.In(w.Zone())
		parts = append(parts, w.T(lang, key, map[string]any{"Time": t.Format("15:04"), "Day": t.Day(),
			"Month": w.T(lang, fmt.Sprintf("voice.status.month.%d", int(t.Month())), nil)}))
	}
	return strings.Join(parts, ", ")
}

func (c *call) run() {
	ctx, cancel := context.WithTimeout(c.l.ctx, c.l.o.MaxCall)
	defer cancel()
	if err := c.ari.Channels().Answer(ctx, c.ch.ID); err != nil {
		c.log.Warn("status line: answer", slog.Any("err", err))
		return
	}
	lang, reqs := c.lookup(ctx)
	if err := c.ari.Channels().SetVar(ctx, c.ch.ID, "CHANNEL(language)", lang); err != nil {
		c.log.Warn("status line: set the channel's language", slog.Any("err", err))
	}
	message := c.media(ctx, lang, Script(c.l.o.Words, lang, reqs))
	menu := c.media(ctx, lang, []Piece{{Text: c.l.o.Words.T(lang, "voice.status.menu", nil)}})
	for range c.l.o.Repeats {
		switch c.listen(ctx, append(append([]string(nil), message...), menu...)) {
		case KeyRepeat:
			continue
		case KeyAgent:
			c.toAgent(ctx, lang)
			return
		case "":
			if c.isGone() || ctx.Err() != nil {
				return
			}
		}
		break
	}
	c.finish(ctx, lang)
}

// listen plays media and returns the key pressed during it or within
// MenuWait after it ("" for none, or when the caller left).
func (c *call) listen(ctx context.Context, media []string) string {
	pid := c.play(ctx, media)
	var wait <-chan time.Time
	if pid == "" {
		wait = time.After(c.l.o.MenuWait)
	}
	for {
		select {
		case ev := <-c.inbox:
			switch e := ev.(type) {
			case *ari.ChannelDtmfReceived:
				if e.Digit == KeyRepeat || e.Digit == KeyAgent {
					if pid != "" {
						c.stop(pid)
					}
					return e.Digit
				}
			case *ari.PlaybackFinished:
				if pid != "" && e.Playback.ID == pid {
					pid = ""
					wait = time.After(c.l.o.MenuWait)
				}
			}
		case <-wait:
			return ""
		case <-c.goneCh:
			return ""
		case <-ctx.Done():
			return ""
		}
	}
}

// toAgent says so and leaves Stasis: the dialplan goes on after
// Stasis(hotline,status), to the agents' queue.
func (c *call) toAgent(ctx context.Context, lang string) {
	c.playAndWait(ctx, c.media(ctx, lang, []Piece{{Text: c.l.o.Words.T(lang, "voice.status.agent", nil)}}))
	if c.isGone() {
		return
	}
	if err := c.ari.Channels().Continue(ctx, c.ch.ID, ari.ContinueParams{}); err != nil && !ari.IsNotFound(err) {
		c.log.Warn("status line: continue to an agent", slog.Any("err", err))
	}
}

// finish says goodbye and hangs up.
func (c *call) finish(ctx context.Context, lang string) {
	if c.isGone() {
		return
	}
	c.playAndWait(ctx, c.media(ctx, lang, []Piece{{Text: c.l.o.Words.T(lang, "voice.status.goodbye", nil)}}))
	if c.isGone() {
		return
	}
	hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer hcancel()
	if err := c.ari.Channels().Hangup(hctx, c.ch.ID, "normal"); err != nil && !ari.IsNotFound(err) {
		c.log.Warn("status line: hang up", slog.Any("err", err))
	}
}

func (c *call) playAndWait(ctx context.Context, media []string) {
	pid := c.play(ctx, media)
	for pid != "" {
		select {
		case ev := <-c.inbox:
			if e, ok := ev.(*ari.PlaybackFinished); ok && e.Playback.ID == pid {
				return
			}
		case <-c.goneCh:
			return
		case <-ctx.Done():
			return
		}
	}
}

// play starts media as one playback (several media go comma-separated in
// one request: Asterisk plays only the last media= parameter).
func (c *call) play(ctx context.Context, media []string) string {
	if len(media) == 0 || c.isGone() {
		return ""
	}
	c.seq++
	id := fmt.Sprintf("status-%s-%d", c.ch.ID, c.seq)
	if _, err := c.ari.Channels().Play(ctx, c.ch.ID, ari.PlayParams{Media: media, PlaybackID: id}); err != nil {
		if !ari.IsNotFound(err) {
			c.log.Warn("status line: play", slog.Any("err", err))
		}
		return ""
	}
	return id
}

func (c *call) stop(pid string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.l.ctx), 5*time.Second)
	defer cancel()
	if err := c.ari.Playbacks().Stop(ctx, pid); err != nil && !ari.IsNotFound(err) {
		c.log.Warn("status line: stop playback", slog.Any("err", err))
	}
}

// media turns pieces into media URIs, speaking the texts. A text that
// cannot be spoken is logged and left out.
func (c *call) media(ctx context.Context, lang string, pieces []Piece) []string {
	var out []string
	for _, p := range pieces {
		if p.Media != "" {
			out = append(out, p.Media)
			continue
		}
		uri, err := c.l.o.Speech.Media(ctx, lang, p.Text)
		if err != nil {
			c.log.Error("status line: cannot speak a phrase", slog.String("language", lang), slog.Any("err", err))
			continue
		}
		out = append(out, uri)
	}
	return out
}

func (c *call) isGone() bool {
	select {
	case <-c.goneCh:
		return true
	default:
		return false
	}
}

// lookup finds the caller's language and open requests (newest first) and
// attaches this call to each of them.
func (c *call) lookup(ctx context.Context) (string, []Request) {
	lang := c.l.o.Language
	num, ok := c.l.norm.Lookup(c.ch.Caller.Number)
	if !ok {
		c.log.Info("status line: caller number not usable", slog.Bool("withheld", c.ch.Caller.Number == ""))
		return lang, nil
	}
	clients, err := c.l.o.Clients.FindClientsByPhone(ctx, num)
	if err != nil || len(clients) == 0 {
		if err != nil {
			c.log.Warn("status line: find client", slog.Any("err", err))
		}
		return lang, nil
	}
	ids := make([]int64, len(clients))
	for i, cl := range clients {
		ids[i] = cl.ID
		if i == 0 {
			lang = cmp.Or(cl.Language, lang)
		}
	}
	tickets, err := c.l.o.Tickets.OpenTicketsOf(ctx, ids, MaxTickets)
	if err != nil {
		c.log.Warn("status line: open requests", slog.Any("err", err))
		return lang, nil
	}
	linked := cmp.Or(c.ch.ChannelVars["CHANNEL(linkedid)"], c.ch.ID)
	reqs := make([]Request, 0, len(tickets))
	names := map[int64]string{}
	for _, t := range tickets {
		r := Request{Ticket: t}
		if t.AssigneeID != nil {
			if _, ok := names[*t.AssigneeID]; !ok {
				u, err := c.l.o.Users.GetUser(ctx, *t.AssigneeID)
				if err != nil && !crm.IsKind(err, crm.KindNotFound) {
					c.log.Warn("status line: assignee", slog.Any("err", err))
				}
				names[*t.AssigneeID] = u.Name
			}
			r.Assignee = names[*t.AssigneeID]
		}
		reqs = append(reqs, r)
		if err := c.l.o.Tickets.LinkTicketCall(ctx, t.ID, linked, nil); err != nil {
			c.log.Warn("status line: link the call to the request", slog.Int64("ticket", t.ID), slog.Any("err", err))
		}
	}
	return lang, reqs
}
