package notify

import (
	"context"
	"sync"
	"time"
)

// Notification tells a user about a ticket: an escalation or a breach, an
// assignment to them, a customer's e-mail. Kind and Args let each reader
// see it in their own language; Body is the English text of older ones.
type Notification struct {
	ID       int64
	UserID   int64
	TicketID int64
	Kind     string // NoticeEscalation, NoticeBreach, NoticeAssigned, NoticeReply
	Args     map[string]string
	Body     string
	At       time.Time
	ReadAt   *time.Time
	// Subject is the ticket's, for lists.
	Subject string
}

// The kinds of notices; each has its text in the catalogue
// (notify.notice.<kind>) and its e-mail template (staff_<kind>).
const (
	NoticeEscalation = "escalation" // a request passed a share of its SLA target
	NoticeBreach     = "breach"     // a request missed its SLA target
	NoticeAssigned   = "assigned"   // a request was given to the user
	NoticeReply      = "reply"      // the customer answered by e-mail
)

// Notices keeps staff's in-app notices (crm/postgres).
type Notices interface {
	// Notifications returns a user's newest notices, unread first.
	Notifications(ctx context.Context, userID int64, limit int) ([]Notification, error)
	// UnreadNotifications counts a user's unread notices.
	UnreadNotifications(ctx context.Context, userID int64) (int, error)
	// MarkNotificationsRead marks the user's notices up to id as read and
	// returns how many changed.
	MarkNotificationsRead(ctx context.Context, userID, upTo int64) (int, error)
	// ListenNotifications calls wake with the id of each user who gets a
	// notice or reads one, on any replica, until ctx ends.
	ListenNotifications(ctx context.Context, wake func(userID int64)) error
}

// Bell wakes the bells of signed-in users: each open bell of a user has a
// one-slot channel, so wakes coalesce and never block (a woken bell
// re-counts).
type Bell struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]struct{}
}

// NewBell returns a Bell nobody listens to yet.
func NewBell() *Bell { return &Bell{subs: map[int64]map[chan struct{}]struct{}{}} }

// Wake tells every open bell of userID to re-count.
func (b *Bell) Wake(userID int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[userID] {
		select {
		case ch <- struct{}{}:
		default: // already woken
		}
	}
}

// Subscribe returns a channel that receives when userID is woken, and the
// function that ends the subscription.
func (b *Bell) Subscribe(userID int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.subs[userID] == nil {
		b.subs[userID] = map[chan struct{}]struct{}{}
	}
	b.subs[userID][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[userID], ch)
		if len(b.subs[userID]) == 0 {
			delete(b.subs, userID)
		}
		b.mu.Unlock()
	}
}
