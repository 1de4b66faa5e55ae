package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Outbox is the durable queue the Dispatcher drains (crm/postgres.Store).
type Outbox interface {
	// DeliverNext claims the oldest message due at now that no other
	// worker holds (SKIP LOCKED), calls deliver with it while holding it,
	// and records the Outcome. It reports false when nothing was due.
	DeliverNext(ctx context.Context, now time.Time, deliver func(context.Context, *Message) Outcome) (bool, error)
}

// OutboxDue tells when the next pending message is due
// (crm/postgres.NotifyService): the dispatcher sleeps until then.
type OutboxDue interface {
	// NextDue returns the earliest due time of a pending message; false
	// when there is none.
	NextDue(ctx context.Context) (time.Time, bool, error)
}

// TemplateSource gives the wording of a template in a language: an
// admin's when they changed it, else the catalogue's (crm/postgres.Store
// with the catalogue's defaults).
type TemplateSource interface {
	Template(ctx context.Context, key, lang string) (Template, error)
}

// Outcome is what became of one delivery attempt.
type Outcome struct {
	State   State     // sent, failed, or pending to retry at Retry
	Retry   time.Time // the next attempt, when pending
	Error   string    // the failure, for the request page (never a secret)
	Subject string    // what went out (or would have)
	Body    string
}

// DispatcherOptions configure a Dispatcher. Outbox and Templates are required.
type DispatcherOptions struct {
	Outbox    Outbox
	Templates TemplateSource
	Mailer    Mailer    // nil: e-mails wait until one is configured
	SMS       SMSSender // nil: SMS fail ("no SMS gateway")
	// PublicURL is the base of links sent to customers (https://desk.example.ru).
	PublicURL string
	// StatusText names a status in a language for {status}.
	StatusText func(lang, status string) string
	// MessageDomain ends Message-IDs (hotline.local when empty).
	MessageDomain string
	Now           func() time.Time
	Interval      time.Duration // how often the outbox is looked at when Due is nil; 2s when zero
	// Due, when set, tells when the next message is due: Run sleeps until
	// then (at most Idle, 60s when zero) or until Wake, instead of looking
	// every Interval.
	Due        OutboxDue
	Idle       time.Duration
	MinBackoff time.Duration // first retry delay; 30s when zero
	MaxBackoff time.Duration // longest retry delay; 1h when zero
	Batch      int           // messages per round at most; 50 when zero
	Logger     *slog.Logger
}

// Dispatcher delivers the outbox: it sends what is due when it is due, when
// woken, or every Interval;
// a failure is retried after MinBackoff·2^(attempts-1) (with jitter, at
// most MaxBackoff) until it goes; a permanent refusal fails the message.
// Several dispatchers may drain one outbox.
type Dispatcher struct {
	o    DispatcherOptions
	wake chan struct{}
}

// NewDispatcher returns a dispatcher; call Run to start it.
func NewDispatcher(o DispatcherOptions) *Dispatcher {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.MessageDomain == "" {
		o.MessageDomain = "hotline.local"
	}
	if o.StatusText == nil {
		o.StatusText = func(_, s string) string { return s }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Idle <= 0 {
		o.Idle = time.Minute
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	return &Dispatcher{o: o, wake: make(chan struct{}, 1)}
}

// Wake tells a running dispatcher that messages were queued (on any
// replica): it looks at the outbox now. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Tick delivers up to Batch due messages and returns how many it tried.
func (d *Dispatcher) Tick(ctx context.Context) (int, error) {
	n := 0
	for n < d.o.Batch {
		ok, err := d.o.Outbox.DeliverNext(ctx, d.o.Now(), d.deliver)
		if err != nil {
			return n, err
		}
		if !ok {
			break
		}
		n++
	}
	return n, nil
}

// Run delivers due messages until ctx ends: when they are due (Due), when
// woken, at the latest every Idle; without Due every Interval. Failures are
// logged and retried. It returns ctx's error.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		if _, err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			d.o.Logger.Warn("outbox round failed", slog.Any("err", err))
		}
		t := time.NewTimer(d.sleep(ctx))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		case <-d.wake:
			t.Stop()
		}
	}
}

// sleep is how long to wait for the next due message: Interval without Due
// or when it fails, Idle at most. A message still due after a round is held
// by another dispatcher (or the round hit Batch): look again after Interval.
func (d *Dispatcher) sleep(ctx context.Context) time.Duration {
	if d.o.Due == nil {
		return d.o.Interval
	}
	due, ok, err := d.o.Due.NextDue(ctx)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			d.o.Logger.Warn("next outbox message", slog.Any("err", err))
		}
		return d.o.Interval
	case !ok:
		return d.o.Idle
	}
	w := due.Sub(d.o.Now())
	if w <= 0 {
		return d.o.Interval
	}
	return min(w, d.o.Idle)
}

// deliver renders and sends one message.
func (d *Dispatcher) deliver(ctx context.Context, m *Message) Outcome {
	subject, body, err := d.render(ctx, m)
	if err != nil {
		return d.failed(m, err, subject, body)
	}
	switch m.Channel {
	case ChannelEmail:
		if d.o.Mailer == nil {
			return Outcome{State: StatePending, Retry: d.o.Now().Add(d.o.MaxBackoff), Error: "no mail server configured", Subject: subject, Body: body}
		}
		e := Email{To: m.To, Subject: subject, Body: body, MessageID: d.messageID(m)}
		if m.TicketID != nil {
			e.References = "ticket-" + strconv.FormatInt(*m.TicketID, 10) + "@" + d.o.MessageDomain
		}
		err = d.o.Mailer.Send(ctx, e)
	case ChannelSMS:
		if d.o.SMS == nil {
			err = Permanent(errors.New("no SMS gateway configured"))
		} else {
			err = d.o.SMS.SendSMS(ctx, m.To, body)
		}
	default:
		err = Permanent(fmt.Errorf("unknown channel %q", m.Channel))
	}
	if err != nil {
		return d.failed(m, err, subject, body)
	}
	return Outcome{State: StateSent, Subject: subject, Body: body}
}

// failed retries a transient failure later and gives up on a permanent one.
func (d *Dispatcher) failed(m *Message, err error, subject, body string) Outcome {
	o := Outcome{Error: err.Error(), Subject: subject, Body: body}
	if errors.Is(err, ErrPermanent) {
		o.State = StateFailed
		d.o.Logger.Warn("message refused", slog.Int64("outbox_id", m.ID), slog.String("channel", string(m.Channel)), slog.Any("err", err))
		return o
	}
	o.State, o.Retry = StatePending, d.o.Now().Add(d.Backoff(m.Attempts+1))
	d.o.Logger.Info("message delayed", slog.Int64("outbox_id", m.ID), slog.Int("attempt", m.Attempts+1),
		slog.Time("retry", o.Retry), slog.Any("err", err))
	return o
}

// Backoff is the delay before retrying after the given failed attempt
// (1, 2, …): MinBackoff doubled per attempt, at most MaxBackoff, less up to
// a fifth at random so that many messages do not retry in step.
func (d *Dispatcher) Backoff(attempt int) time.Duration {
	b := d.o.MinBackoff
	for i := 1; i < attempt && b < d.o.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.o.MaxBackoff)
	return b - time.Duration(rand.Int64N(int64(b)/5+1))
}

func (d *Dispatcher) messageID(m *Message) string {
	return "outbox-" + strconv.FormatInt(m.ID, 10) + "@" + d.o.MessageDomain
}

// render fills a templated message; a typed one goes as it is.
func (d *Dispatcher) render(ctx context.Context, m *Message) (subject, body string, err error) {
	if m.Template == "" {
		return m.Subject, m.Body, nil
	}
	t, err := d.o.Templates.Template(ctx, m.Template, m.Lang)
	if err != nil {
		return "", "", err
	}
	args := make(map[string]string, len(m.Args)+2)
	for k, v := range m.Args {
		args[k] = v
	}
	switch tok := m.Args["token"]; {
	case tok != "": // the customer's public status page
		args["link"] = d.o.PublicURL + "/status/" + tok
	case m.TicketID != nil: // staff open the request itself
		args["link"] = d.o.PublicURL + "/tickets/" + strconv.FormatInt(*m.TicketID, 10)
	}
	if st := m.Args["status"]; st != "" {
		args["status"] = d.o.StatusText(m.Lang, st)
	}
	delete(args, "token")
	return strings.ReplaceAll(Fill(t.Subject, args), "\n", " "), Fill(t.Body, args), nil
}
