package statusline

import (
	"context"
	"fmt"
	"log/slog"
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
	hangup sync.Once
	goneCh chan struct{}

	mu     sync.Mutex
	done   map[string]bool
	doneCh chan struct{}
}

func (c *call) finished(playbackID string) {
	c.mu.Lock()
	c.done[playbackID] = true
	c.mu.Unlock()
	select {
	case c.doneCh <- struct{}{}:
	default:
	}
}

func (c *call) isDone(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done[id]
}

func (c *call) run() {
	ctx, cancel := context.WithTimeout(c.l.ctx, c.l.o.MaxCall)
	defer cancel()
	if err := c.ari.Channels().Answer(ctx, c.ch.ID); err != nil {
		c.log.Warn("status line: answer", slog.Any("err", err))
		return
	}
	t := c.lookup(ctx)
	media := c.l.o.Prompts.Prompt(t)
	// Queue every prompt at once: the channel plays them in order.
	last := ""
	for i, m := range media {
		id := fmt.Sprintf("status-%s-%d", c.ch.ID, i)
		if _, err := c.ari.Channels().Play(ctx, c.ch.ID, ari.PlayParams{Media: []string{m}, PlaybackID: id}); err != nil {
			if ari.IsNotFound(err) {
				return // the caller hung up
			}
			c.log.Warn("status line: play", slog.String("media", m), slog.Any("err", err))
			continue
		}
		last = id
	}
	if last != "" {
		c.wait(ctx, last)
	}
	select {
	case <-c.goneCh:
		return
	default:
	}
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	if err := c.ari.Channels().Hangup(hctx, c.ch.ID, "normal"); err != nil && !ari.IsNotFound(err) {
		c.log.Warn("status line: hang up", slog.Any("err", err))
	}
}

// wait blocks until playback id finished, the caller left or ctx ended.
func (c *call) wait(ctx context.Context, id string) {
	for !c.isDone(id) {
		select {
		case <-c.doneCh:
		case <-c.goneCh:
			return
		case <-ctx.Done():
			return
		}
	}
}

// lookup finds the caller's latest open request and attaches this call to
// it; nil when the number is unknown or nothing is open.
func (c *call) lookup(ctx context.Context) *service.Ticket {
	num, ok := c.l.norm.Lookup(c.ch.Caller.Number)
	if !ok {
		c.log.Info("status line: caller number not usable", slog.Bool("withheld", c.ch.Caller.Number == ""))
		return nil
	}
	clients, err := c.l.o.Store.FindClientsByPhone(ctx, num)
	if err != nil || len(clients) == 0 {
		if err != nil {
			c.log.Warn("status line: find client", slog.Any("err", err))
		}
		return nil
	}
	ids := make([]int64, len(clients))
	for i, cl := range clients {
		ids[i] = cl.ID
	}
	t, err := c.l.o.Store.LatestOpenTicket(ctx, ids)
	if err != nil {
		if !crm.IsKind(err, crm.KindNotFound) {
			c.log.Warn("status line: latest ticket", slog.Any("err", err))
		}
		return nil
	}
	linked := c.ch.ChannelVars["CHANNEL(linkedid)"]
	if linked == "" {
		linked = c.ch.ID
	}
	if err := c.l.o.Store.LinkTicketCall(ctx, t.ID, linked, nil); err != nil {
		c.log.Warn("status line: link the call to the request", slog.Any("err", err))
	}
	return &t
}
