package httpapi

import (
	"context"
	"net/http"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/crm/service"
)

// EventJSON is one entry of a ticket's thread.
type EventJSON struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	UserID   *int64    `json:"user_id,omitempty"`
	UserName string    `json:"user_name,omitempty"`
	Field    string    `json:"field,omitempty"`
	Old      string    `json:"old,omitempty"`
	New      string    `json:"new,omitempty"`
	Body     string    `json:"body,omitempty"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Subject  string    `json:"subject,omitempty"`
	Public   bool      `json:"public"`
}

func eventJSON(e service.Event) EventJSON {
	return EventJSON{ID: e.ID, At: e.At, Kind: string(e.Kind), UserID: e.UserID, UserName: e.UserName, Field: e.Field,
		Old: e.Old, New: e.New, Body: e.Body, From: e.From, To: e.To, Subject: e.Subject, Public: e.Public}
}

type threadOutput struct {
	Body struct {
		Ticket   TicketJSON    `json:"ticket"`
		Events   []EventJSON   `json:"events"`
		Articles []ArticleJSON `json:"articles"`
		Messages []OutboxJSON  `json:"messages" doc:"e-mails and SMS about the ticket, newest first, with their delivery state"`
	}
}

type messageOutput struct {
	Body struct {
		Recorded bool `json:"recorded"`
		Queued   bool `json:"queued,omitempty" doc:"an e-mail waits in the outbox; its state is in the thread's messages"`
	}
}

// OutboxJSON is an e-mail or SMS about a ticket with its delivery state.
type OutboxJSON struct {
	ID        int64      `json:"id"`
	Channel   string     `json:"channel"`
	To        string     `json:"to"`
	Subject   string     `json:"subject,omitempty"`
	Template  string     `json:"template,omitempty"`
	State     string     `json:"state" enum:"pending,sent,failed"`
	Attempts  int        `json:"attempts"`
	NextAt    time.Time  `json:"next_at"`
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

func outboxJSON(m notify.Message) OutboxJSON {
	return OutboxJSON{ID: m.ID, Channel: string(m.Channel), To: m.To, Subject: m.Subject, Template: m.Template, State: string(m.State),
		Attempts: m.Attempts, NextAt: m.NextAt, LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
}

// InboundEmail is a parsed message from the mail gateway.
type InboundEmail struct {
	From      string `json:"from" minLength:"3" maxLength:"300"`
	To        string `json:"to,omitempty" maxLength:"300"`
	Subject   string `json:"subject" maxLength:"500"`
	Body      string `json:"body" maxLength:"200000"`
	MessageID string `json:"message_id,omitempty" maxLength:"500" doc:"deduplicates a message delivered twice"`
	TicketID  int64  `json:"ticket_id,omitempty" minimum:"0" doc:"else taken from the References or In-Reply-To header; else from [#123] in the subject; else a new ticket for the sender's client"`
	// References is the message's References and In-Reply-To headers:
	// Hotline's e-mails name their request there (<ticket-123@host>).
	References string `json:"references,omitempty" maxLength:"5000" doc:"the References and In-Reply-To headers, which thread a reply to Hotline's e-mail"`
}

var (
	ticketRef       = regexp.MustCompile(`\[#(\d{1,18})\]`)
	ticketHeaderRef = regexp.MustCompile(`<ticket-(\d{1,18})@[^>\s]+>`)
)

type inboundOutput struct {
	Body struct {
		TicketID int64 `json:"ticket_id"`
		Created  bool  `json:"created"`
		Recorded bool  `json:"recorded"`
	}
}

// commentInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type commentInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Body   string `json:"body" minLength:"1" maxLength:"50000"`
		Public bool   `json:"public,omitempty"`
	}
}

// emailInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type emailInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		To      string `json:"to" minLength:"3" maxLength:"300"`
		Subject string `json:"subject,omitempty" maxLength:"500"`
		Body    string `json:"body" minLength:"1" maxLength:"50000"`
	}
}

type inboundEmailInput struct{ Body InboundEmail }

// linkCallInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type linkCallInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		LinkedID string `json:"linkedid" minLength:"1" maxLength:"100"`
	}
}

// linkArticleInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type linkArticleInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		ArticleID int64 `json:"article_id" minimum:"1"`
	}
}

type publicStatusInput struct {
	Token string `path:"token" minLength:"20" maxLength:"64" pattern:"^[A-Za-z0-9_-]+$"`
}

// thread answers the ticket with its history, solving articles and messages.
func (h ticketHandlers) thread(ctx context.Context, in *ticketIDInput) (*threadOutput, error) {
	t, err := h.visibleTicket(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	events, err := h.messages.Thread(ctx, t.ID, false)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	arts, err := h.articles.TicketArticles(ctx, t.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	msgs, err := h.outbox.TicketMessages(ctx, t.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &threadOutput{}
	out.Body.Ticket = ticketJSON(t, h.now())
	out.Body.Events = make([]EventJSON, 0, len(events))
	for _, e := range events {
		out.Body.Events = append(out.Body.Events, eventJSON(e))
	}
	out.Body.Messages = make([]OutboxJSON, 0, len(msgs))
	for _, m := range msgs {
		out.Body.Messages = append(out.Body.Messages, outboxJSON(m))
	}
	out.Body.Articles = make([]ArticleJSON, 0, len(arts))
	for _, a := range arts {
		out.Body.Articles = append(out.Body.Articles, articleJSON(a))
	}
	return out, nil
}

// comment records an agent's comment on a ticket.
func (h ticketHandlers) comment(ctx context.Context, in *commentInput) (*messageOutput, error) {
	if _, err := h.visibleTicket(ctx, in.ID); err != nil {
		return nil, err
	}
	ok, err := h.messages.AddMessage(ctx, &service.Event{TicketID: in.ID, Kind: service.EventComment, UserID: actorID(ctx),
		Body: in.Body.Body, Public: in.Body.Public})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &messageOutput{}
	out.Body.Recorded = ok
	return out, nil
}

// email records an e-mail to the customer and queues it.
func (h ticketHandlers) email(ctx context.Context, in *emailInput) (*messageOutput, error) {
	t, err := h.visibleTicket(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	subject := in.Body.Subject
	if subject == "" {
		subject = t.Subject
	}
	number := "[#" + strconv.FormatInt(t.ID, 10) + "]"
	subject = number + " " + strings.TrimSpace(strings.ReplaceAll(subject, number, ""))
	e := &service.Event{TicketID: t.ID, Kind: service.EventEmailOut, UserID: actorID(ctx),
		To: in.Body.To, Subject: subject, Body: in.Body.Body, Public: true}
	if err := (notify.Email{To: e.To, Subject: e.Subject}).Validate(); err != nil {
		return nil, h.problem(ctx, err)
	}
	// Recorded and queued in one transaction: the outbox sends it (retrying
	// while the mail server is down); its state is in the thread's messages.
	ok, err := h.messages.AddMessage(ctx, e)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &messageOutput{}
	out.Body.Recorded, out.Body.Queued = ok, ok
	return out, nil
}

// linkCall attaches a call to a ticket the caller may see.
func (h ticketHandlers) linkCall(ctx context.Context, in *linkCallInput) (*struct{}, error) {
	if _, err := h.visibleTicket(ctx, in.ID); err != nil {
		return nil, err
	}
	if err := h.tickets.LinkTicketCall(ctx, in.ID, in.Body.LinkedID, actorID(ctx)); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

// linkArticle records the article that solved a ticket the caller may see.
func (h ticketHandlers) linkArticle(ctx context.Context, in *linkArticleInput) (*struct{}, error) {
	if _, err := h.visibleTicket(ctx, in.ID); err != nil {
		return nil, err
	}
	if err := h.articles.LinkArticle(ctx, in.ID, in.Body.ArticleID, actorID(ctx)); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

// publicStatus answers the customer's view of a request by its token.
func (h ticketHandlers) publicStatus(ctx context.Context, in *publicStatusInput) (*PublicStatusOutput, error) {
	st, err := h.PublicStatus(ctx, in.Token)
	if err != nil {
		return nil, err
	}
	return &PublicStatusOutput{Body: st}, nil
}

// receiveEmail adds a customer's e-mail to its ticket, or opens one for the
// sender's client.
func (h ticketHandlers) receiveEmail(ctx context.Context, in *inboundEmailInput) (*inboundOutput, error) {
	m := in.Body
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return nil, huma.NewError(http.StatusUnprocessableEntity, "from: not an email address", &huma.ErrorDetail{Location: "body.from", Message: "not an email address"})
	}
	out := &inboundOutput{}
	id := m.TicketID
	if id == 0 {
		if g := ticketHeaderRef.FindStringSubmatch(m.References); g != nil {
			id, _ = strconv.ParseInt(g[1], 10, 64)
		} else if g := ticketRef.FindStringSubmatch(m.Subject); g != nil {
			id, _ = strconv.ParseInt(g[1], 10, 64)
		}
	}
	if id != 0 {
		if _, err := h.tickets.GetTicket(ctx, id); err != nil {
			if crm.IsKind(err, crm.KindNotFound) {
				return nil, huma.Error422UnprocessableEntity("ticket_id: no ticket " + strconv.FormatInt(id, 10))
			}
			return nil, h.problem(ctx, err)
		}
	} else {
		clientID, err := h.tickets.ClientIDByEmail(ctx, from.Address)
		if err != nil {
			if crm.IsKind(err, crm.KindNotFound) {
				return nil, huma.Error422UnprocessableEntity("from: no client has the address " + from.Address)
			}
			return nil, h.problem(ctx, err)
		}
		subject := strings.TrimSpace(m.Subject)
		if subject == "" {
			subject = "(no subject)"
		}
		if utf8.RuneCountInString(subject) > 300 {
			subject = subject[:300]
		}
		t := service.Ticket{ClientID: clientID, Subject: strings.ToValidUTF8(subject, ""), Category: "email"}
		if err := h.tickets.CreateTicket(ctx, &t); err != nil {
			return nil, h.problem(ctx, err)
		}
		id, out.Body.Created = t.ID, true
	}
	ok, err := h.messages.AddMessage(ctx, &service.Event{TicketID: id, Kind: service.EventEmailIn, From: from.Address, To: m.To,
		Subject: m.Subject, Body: m.Body, MessageID: m.MessageID, Public: true})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out.Body.TicketID, out.Body.Recorded = id, ok
	return out, nil
}

// PublicStatus is what a customer sees of their request.
type PublicStatus struct {
	Number    int64         `json:"number"`
	Subject   string        `json:"subject"`
	Status    string        `json:"status"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Events    []PublicEvent `json:"events"`
}

// PublicEvent is one public entry of the thread (no internal comments, no
// agents' user ids, no calls).
type PublicEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

// PublicStatusOutput is the public status response.
type PublicStatusOutput struct{ Body PublicStatus }

// PublicStatus loads the customer's view of the ticket behind a token.
func (h ticketHandlers) PublicStatus(ctx context.Context, token string) (PublicStatus, error) {
	t, err := h.tickets.TicketByToken(ctx, token)
	if err != nil {
		return PublicStatus{}, h.problem(ctx, err)
	}
	events, err := h.messages.Thread(ctx, t.ID, true)
	if err != nil {
		return PublicStatus{}, h.problem(ctx, err)
	}
	st := PublicStatus{Number: t.ID, Subject: t.Subject, Status: string(t.Status), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		Events: []PublicEvent{}}
	for _, e := range events {
		text := e.Body
		if e.Kind == service.EventChange {
			text = "status: " + e.New
		}
		st.Events = append(st.Events, PublicEvent{At: e.At, Kind: string(e.Kind), Text: text})
	}
	return st, nil
}
