package web

import (
	"context"

	"hotline/crm/notify"
	"hotline/crm/service"
	"hotline/internal/i18n"
)

// messageRow is an e-mail or SMS about a request, as the request page
// shows it, in the reader's language and zone.
type messageRow struct {
	ID        int64
	Channel   string
	To        string
	Subject   string
	State     string // pending, sent, failed: the CSS class
	StateText string
	Attempts  int
	When      string
	Note      string // the next attempt or the last error
}

// messagesView is the request page's "e-mails and SMS" section.
type messagesView struct {
	Rows     []messageRow
	Labels   map[string]string
	Attempts string // "3 missed calls from this number" for a callback request
}

// ticketMessages builds the section from a request's outbox messages.
func ticketMessages(ctx context.Context, t service.Ticket, msgs []notify.Message) messagesView {
	l := i18n.FromContext(ctx)
	v := messagesView{Labels: map[string]string{}}
	for _, k := range []string{"title", "empty", "channel", "to", "subject", "state", "attempts", "when"} {
		v.Labels[k] = l.T("notify.messages."+k, nil)
	}
	if t.CallbackAttempts > 0 {
		v.Attempts = l.N("notify.callback.attempts", t.CallbackAttempts, nil)
	}
	for _, m := range msgs {
		row := messageRow{ID: m.ID, Channel: l.T("notify.channel."+string(m.Channel), nil), To: m.To, Subject: m.Subject,
			State: string(m.State), StateText: l.T("notify.state."+string(m.State), nil), Attempts: m.Attempts,
			When: l.DateTime(m.CreatedAt)}
		if m.SentAt != nil {
			row.When = l.DateTime(*m.SentAt)
		}
		switch {
		case m.State == notify.StatePending && m.Attempts > 0:
			row.Note = l.T("notify.messages.retry", map[string]any{"At": l.DateTime(m.NextAt)})
			if m.LastError != "" {
				row.Note += " · " + m.LastError
			}
		case m.State == notify.StateFailed:
			row.Note = m.LastError
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
