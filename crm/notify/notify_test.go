package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/internal/i18n"
)

// memOutbox is a hand-written Outbox holding messages in memory.
type memOutbox struct {
	msgs     []*notify.Message
	outcomes []notify.Outcome
}

var _ notify.Outbox = (*memOutbox)(nil)

func (o *memOutbox) DeliverNext(ctx context.Context, now time.Time, deliver func(context.Context, *notify.Message) notify.Outcome) (bool, error) {
	for _, m := range o.msgs {
		if m.State == notify.StatePending && !m.NextAt.After(now) {
			out := deliver(ctx, m)
			o.outcomes = append(o.outcomes, out)
			m.Attempts++
			m.State, m.Subject, m.Body = out.State, out.Subject, out.Body
			if out.State == notify.StatePending {
				m.NextAt = out.Retry
			}
			return true, nil
		}
	}
	return false, nil
}

type fakeMailer struct {
	sent []notify.Email
	err  error
}

func (f *fakeMailer) Send(_ context.Context, e notify.Email) error {
	if f.err != nil {
		return f.err
	}
	f.sent = append(f.sent, e)
	return nil
}

// noAdmin is a TemplateStore where admins changed nothing, or one template.
type noAdmin struct{ custom *notify.Template }

func (n noAdmin) NotificationTemplate(_ context.Context, key, lang string) (notify.Template, bool, error) {
	if n.custom != nil && n.custom.Key == key && n.custom.Lang == lang {
		return *n.custom, true, nil
	}
	return notify.Template{}, false, nil
}

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestCustomerMailInTheirLanguage renders the catalogue's templates in
// Russian (the centre's language, for clients who chose none) and English,
// with the status in words and the public link; an admin's wording wins.
func TestCustomerMailInTheirLanguage(t *testing.T) {
	cat := catalogue(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	id := int64(42)
	args := map[string]string{"number": "42", "subject": "Нет связи", "status": "in_progress", "token": "TOKEN123"}
	ob := &memOutbox{msgs: []*notify.Message{
		{ID: 1, Channel: notify.ChannelEmail, To: "a@example.ru", Template: notify.TemplateStatus, Lang: "", Args: args, TicketID: &id, State: notify.StatePending},
		{ID: 2, Channel: notify.ChannelEmail, To: "b@example.com", Template: notify.TemplateStatus, Lang: "en", Args: args, TicketID: &id, State: notify.StatePending},
		{ID: 3, Channel: notify.ChannelEmail, To: "c@example.com", Template: notify.TemplateOpened, Lang: "en", Args: args, TicketID: &id, State: notify.StatePending},
	}}
	custom := &notify.Template{Key: notify.TemplateOpened, Lang: "en", Subject: "[#{number}] Got it", Body: "Track it: {link}"}
	m := &fakeMailer{}
	d := notify.NewDispatcher(notify.DispatcherOptions{Outbox: ob, Templates: notify.CatalogueWording(cat, noAdmin{custom}),
		Mailer: m, PublicURL: "https://desk.example.ru", StatusText: notify.StatusText(cat), Now: func() time.Time { return now },
		MessageDomain: "desk.example.ru"})
	if n, err := d.Tick(context.Background()); err != nil || n != 3 {
		t.Fatalf("tick %d %v", n, err)
	}
	if len(m.sent) != 3 {
		t.Fatalf("sent %d", len(m.sent))
	}
	ru, en, admin := m.sent[0], m.sent[1], m.sent[2]
	link := "https://desk.example.ru/status/TOKEN123"
	if ru.Subject != "[#42] Статус заявки: в работе" || !strings.Contains(ru.Body, link) || !strings.Contains(ru.Body, "«Нет связи»") {
		t.Errorf("Russian: %q %q", ru.Subject, ru.Body)
	}
	if en.Subject != "[#42] Request status: in progress" || !strings.Contains(en.Body, link) {
		t.Errorf("English: %q %q", en.Subject, en.Body)
	}
	if admin.Subject != "[#42] Got it" || admin.Body != "Track it: "+link {
		t.Errorf("admin's wording: %q %q", admin.Subject, admin.Body)
	}
	if ru.MessageID != "outbox-1@desk.example.ru" || ru.References != "ticket-42@desk.example.ru" {
		t.Errorf("ids %q %q", ru.MessageID, ru.References)
	}
}

// TestFailuresRetryWithBackoffOrFail: a temporary failure retries later,
// each time later (capped); a permanent one fails the message.
func TestFailuresRetryWithBackoffOrFail(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ob := &memOutbox{msgs: []*notify.Message{{ID: 1, Channel: notify.ChannelEmail, To: "a@example.ru", Subject: "s", Body: "b", State: notify.StatePending}}}
	m := &fakeMailer{err: errors.New("connection refused")}
	d := notify.NewDispatcher(notify.DispatcherOptions{Outbox: ob, Templates: notify.Wording{}, Mailer: m,
		Now: func() time.Time { return now }, MinBackoff: time.Minute, MaxBackoff: 8 * time.Minute})
	var delays []time.Duration
	for range 6 {
		if n, err := d.Tick(context.Background()); err != nil || n != 1 {
			t.Fatalf("tick %d %v", n, err)
		}
		delays = append(delays, ob.msgs[0].NextAt.Sub(now))
		now = ob.msgs[0].NextAt
	}
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 8 * time.Minute, 8 * time.Minute} {
		if delays[i] > want || delays[i] < want*4/5 {
			t.Errorf("retry %d after %v, want about %v", i+1, delays[i], want)
		}
	}
	if ob.msgs[0].State != notify.StatePending || ob.outcomes[0].Error != "connection refused" {
		t.Fatalf("after temporary failures: %+v", ob.outcomes[0])
	}
	m.err = notify.Permanent(errors.New("550 no such user"))
	_, _ = d.Tick(context.Background())
	if ob.msgs[0].State != notify.StateFailed {
		t.Fatalf("a permanent refusal left the message %s", ob.msgs[0].State)
	}
}

func TestTemplateValidate(t *testing.T) {
	for name, c := range map[string]notify.Template{
		"unknown key":        {Key: "nope", Lang: "ru", Subject: "[#{number}]", Body: "x"},
		"no link":            {Key: notify.TemplateOpened, Lang: "ru", Subject: "[#{number}] x", Body: "no link"},
		"no thread number":   {Key: notify.TemplateOpened, Lang: "ru", Subject: "Hello", Body: "{link}"},
		"two-line subject":   {Key: notify.TemplateAssigned, Lang: "ru", Subject: "[#{number}]\nBcc: x", Body: "x"},
		"empty body":         {Key: notify.TemplateOpenedSMS, Lang: "ru", Body: " "},
		"bad language":       {Key: notify.TemplateOpenedSMS, Lang: "russian", Body: "{link}"},
		"invalid characters": {Key: notify.TemplateOpenedSMS, Lang: "ru", Body: "{link}\x00"},
	} {
		if err := c.Validate(); !crm.IsKind(err, crm.KindInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	ok := notify.Template{Key: notify.TemplateOpenedSMS, Lang: "ru", Body: " Заявка {number}: {link} "}
	if err := ok.Validate(); err != nil || ok.Body != "Заявка {number}: {link}" {
		t.Fatalf("valid SMS template: %v %q", err, ok.Body)
	}
}

// dueOutbox counts rounds and tells when its next message is due.
type dueOutbox struct {
	mu     sync.Mutex
	rounds int
	next   time.Time
}

func (o *dueOutbox) DeliverNext(context.Context, time.Time, func(context.Context, *notify.Message) notify.Outcome) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rounds++
	return false, nil
}

func (o *dueOutbox) NextDue(context.Context) (time.Time, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.next, !o.next.IsZero(), nil
}

func (o *dueOutbox) count() int { o.mu.Lock(); defer o.mu.Unlock(); return o.rounds }

// TestDispatcherSleepsUntilWork: with Due the dispatcher looks at the
// outbox when woken or when the next message is due, not every Interval.
func TestDispatcherSleepsUntilWork(t *testing.T) {
	ob := &dueOutbox{}
	d := notify.NewDispatcher(notify.DispatcherOptions{Outbox: ob, Due: ob, Templates: notify.Wording{},
		Interval: 10 * time.Millisecond, Idle: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ob.count() < n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d rounds, want %d", ob.count(), n)
			}
		}
	}
	wait(1)
	time.Sleep(100 * time.Millisecond)
	if n := ob.count(); n != 1 {
		t.Fatalf("%d rounds with nothing due, want 1", n)
	}
	ob.mu.Lock()
	ob.next = time.Now().Add(50 * time.Millisecond) // a retry, due later
	ob.mu.Unlock()
	d.Wake()
	wait(2)
	wait(3) // the retry's time
	ob.mu.Lock()
	ob.next = time.Time{}
	ob.mu.Unlock()
	time.Sleep(100 * time.Millisecond)
	if n := ob.count(); n > 4 {
		t.Fatalf("%d rounds, want at most 4", n)
	}
}
