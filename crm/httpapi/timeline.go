package httpapi

import (
	"context"
	"time"

	"hotline/crm"
)

// InteractionJSON is one entry on a client's timeline.
type InteractionJSON struct {
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

func interactionJSON(i crm.Interaction) InteractionJSON {
	return InteractionJSON{ID: i.ID, ClientID: i.ClientID, Kind: i.Kind, At: i.At, UserID: i.UserID,
		Summary: i.Summary, Body: i.Body, RefType: i.RefType, RefID: i.RefID}
}

type timelineInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Cursor string `query:"cursor" maxLength:"200"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"20"`
}

type timelineOutput struct {
	Body struct {
		Items      []InteractionJSON `json:"items"`
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

type interactionOutput struct{ Body InteractionJSON }

func (h clientHandlers) timeline(ctx context.Context, in *timelineInput) (*timelineOutput, error) {
	if _, err := h.clients.GetClient(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	page, err := h.clients.Timeline(ctx, in.ID, in.Cursor, in.Limit)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	items, err := crm.VisibleInteractions(ctx, page.Items, h.tickets)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &timelineOutput{}
	out.Body.Items = make([]InteractionJSON, 0, len(items))
	for _, i := range items {
		out.Body.Items = append(out.Body.Items, interactionJSON(i))
	}
	out.Body.NextCursor = page.Next
	return out, nil
}

// addNote puts a note by the signed-in user on a client's timeline.
func (h clientHandlers) addNote(ctx context.Context, in *addNoteInput) (*interactionOutput, error) {
	var by *int64
	if u := crm.UserFromContext(ctx); u != nil {
		by = &u.ID
	}
	i, err := crm.NewNote(in.ID, in.Body.Summary, in.Body.Body, by, h.now())
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	if _, err := h.clients.GetClient(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	if err := h.clients.AddInteraction(ctx, &i); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &interactionOutput{Body: interactionJSON(i)}, nil
}
