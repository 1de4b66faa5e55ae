package crm

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNewNote(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	by := int64(7)
	for _, tc := range []struct {
		name, summary, body, wantSummary, field string
	}{
		{"summary from the first line", "", "  Called back.\nAll good.  ", "Called back.", ""},
		{"summary kept", " Callback ", "text", "Callback", ""},
		{"long first line cut", "", strings.Repeat("я", 200), strings.Repeat("я", 119) + "…", ""},
		{"empty body refused", "x", "  ", "", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := NewNote(3, tc.summary, tc.body, &by, at)
			if fieldOf(err) != tc.field {
				t.Fatalf("err %v, want field %q", err, tc.field)
			}
			if err == nil && (n.Summary != tc.wantSummary || n.Kind != InteractionNote || n.ClientID != 3 || *n.UserID != 7 || !n.At.Equal(at)) {
				t.Errorf("note %+v, want summary %q", n, tc.wantSummary)
			}
		})
	}
}

func TestVisibleInteractions(t *testing.T) {
	items := []Interaction{
		{ID: 1, Kind: InteractionCall},
		{ID: 2, Kind: InteractionTicket, RefType: "ticket", RefID: "10"},
		{ID: 3, Kind: InteractionTicket, RefType: "ticket", RefID: "11"},
		{ID: 4, Kind: InteractionTicket, RefType: "ticket", RefID: "bad"},
	}
	sees10 := func(_ context.Context, login string, ids []int64) (map[int64]bool, error) {
		return map[int64]bool{10: login == "ann"}, nil
	}
	ids := func(list []Interaction) (out []int64) {
		for _, i := range list {
			out = append(out, i.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		user *User
		want []int64
	}{
		{"supervisor sees all", &User{Login: "sue", Role: RoleSupervisor}, []int64{1, 2, 3, 4}},
		{"agent sees her requests", &User{Login: "ann", Role: RoleAgent}, []int64{1, 2}},
		{"another agent", &User{Login: "bob", Role: RoleAgent}, []int64{1}},
		{"nobody signed in", nil, []int64{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := NewContextWithUser(context.Background(), tc.user, "")
			got, err := VisibleInteractions(ctx, items, sees10)
			if err != nil || !equalIDs(ids(got), tc.want) {
				t.Errorf("visible %v, %v; want %v", ids(got), err, tc.want)
			}
		})
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
