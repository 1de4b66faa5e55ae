package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// InteractionView is one entry on a client's timeline.
type InteractionView struct {
	ID       int64               `json:"id"`
	ClientID int64               `json:"client_id"`
	Kind     crm.InteractionKind `json:"kind"`
	At       time.Time           `json:"at"`
	UserID   *int64              `json:"user_id"`
	Summary  string              `json:"summary"`
	Body     string              `json:"body"`
	RefType  string              `json:"ref_type,omitempty"`
	RefID    string              `json:"ref_id,omitempty"`
}

func interactionView(i crm.Interaction) InteractionView {
	return InteractionView{ID: i.ID, ClientID: i.ClientID, Kind: i.Kind, At: i.At, UserID: i.UserID,
		Summary: i.Summary, Body: i.Body, RefType: i.RefType, RefID: i.RefID}
}

type timelineInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Cursor string `query:"cursor" maxLength:"200"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"20"`
}

type timelineOutput struct {
	Body struct {
		Items      []InteractionView `json:"items"`
		NextCursor string            `json:"next_cursor"`
	}
}

type addNoteInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Summary string `json:"summary,omitempty" maxLength:"300"`
		Body    string `json:"body" maxLength:"20000"`
	}
}

type interactionOutput struct{ Body InteractionView }

func (s *Server) registerTimeline() {
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "get-timeline", Method: http.MethodGet, Path: "/api/v1/clients/{id}/timeline", Tags: []string{"clients"},
		Summary: "A client's interactions, newest first",
	}, s.getTimeline)

	Register(s.api, AnyRole, huma.Operation{
		OperationID: "add-note", Method: http.MethodPost, Path: "/api/v1/clients/{id}/notes", Tags: []string{"clients"},
		Summary: "Add a note to a client's timeline", DefaultStatus: http.StatusCreated,
	}, s.addNote)
}

// AddNote puts a note by the signed-in user on a client's timeline.
func (s *Server) AddNote(ctx context.Context, clientID int64, summary, body string) (crm.Interaction, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return crm.Interaction{}, crm.Invalid("body", "is required")
	}
	summary = strings.TrimSpace(summary)
	if summary == "" {
		summary = firstLine(body, 120)
	}
	if _, err := s.store.GetClient(ctx, clientID); err != nil {
		return crm.Interaction{}, err
	}
	i := crm.Interaction{ClientID: clientID, Kind: crm.InteractionNote, At: s.now(), Summary: summary, Body: body}
	if p := PrincipalFrom(ctx); p != nil {
		id := p.User.ID
		i.UserID = &id
	}
	if err := s.store.AddInteraction(ctx, &i); err != nil {
		return crm.Interaction{}, err
	}
	return i, nil
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	r := []rune(strings.TrimSpace(s))
	if len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return string(r)
}

func (s *Server) getTimeline(ctx context.Context, in *timelineInput) (*timelineOutput, error) {
	if _, err := s.store.GetClient(ctx, in.ID); err != nil {
		return nil, s.problem(ctx, err)
	}
	page, err := s.store.Timeline(ctx, in.ID, in.Cursor, in.Limit)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	items, err := s.VisibleInteractions(ctx, page.Items)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &timelineOutput{}
	out.Body.Items = make([]InteractionView, 0, len(items))
	for _, i := range items {
		out.Body.Items = append(out.Body.Items, interactionView(i))
	}
	out.Body.NextCursor = page.Next
	return out, nil
}

func (s *Server) addNote(ctx context.Context, in *addNoteInput) (*interactionOutput, error) {
	i, err := s.AddNote(ctx, in.ID, in.Body.Summary, in.Body.Body)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &interactionOutput{Body: interactionView(i)}, nil
}

// VisibleInteractions drops from a timeline the entries about requests
// (tickets) the signed-in agent may not see, so that their subjects do not
// show where the request itself answers 404. Supervisors and admins, and
// entries about anything else, pass.
func (s *Server) VisibleInteractions(ctx context.Context, items []crm.Interaction) ([]crm.Interaction, error) {
	p := PrincipalFrom(ctx)
	if p != nil && p.User.Role != crm.RoleAgent {
		return items, nil
	}
	var ids []int64
	for _, it := range items {
		if id := interactionTicket(it); id != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return items, nil
	}
	visible := map[int64]bool{}
	if p != nil {
		var err error
		if visible, err = s.store.VisibleTickets(ctx, p.User.Login, ids); err != nil {
			return nil, err
		}
	}
	out := make([]crm.Interaction, 0, len(items))
	for _, it := range items {
		if id := interactionTicket(it); id == 0 || visible[id] {
			out = append(out, it)
		}
	}
	return out, nil
}

// interactionTicket is the request a timeline entry is about, 0 for none.
func interactionTicket(it crm.Interaction) int64 {
	if it.RefType != "ticket" {
		return 0
	}
	id, err := strconv.ParseInt(it.RefID, 10, 64)
	if err != nil {
		return -1 // a malformed reference: hidden from agents
	}
	return id
}
