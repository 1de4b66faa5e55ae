package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
)

func TestScreenPopQueries(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	owner := crm.User{Login: "olga", Name: "Olga Owner", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/2002", "PJSIP/2001"}}
	check(st.Users.CreateUser(ctx, &owner, "x"))
	gone := crm.User{Login: "gone", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/2009"}, Disabled: true}
	check(st.Users.CreateUser(ctx, &gone, "x"))
	phone := "+74950001122"
	mk := func(name, prio string, ownerID *int64) crm.Client {
		c := crm.Client{Kind: crm.ClientPerson, Name: name, Priority: prio, OwnerID: ownerID,
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: phone}}}
		check(st.Clients.CreateClient(ctx, &c))
		return c
	}
	low := mk("Low", "C", &gone.ID)
	top := mk("Top", "A", &owner.ID)

	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i := range 7 {
		check(st.Clients.AddInteraction(ctx, &crm.Interaction{ClientID: top.ID, Kind: crm.InteractionNote,
			At: t0.Add(time.Duration(i) * time.Hour), Summary: fmt.Sprintf("note %d", i)}))
	}
	recent, err := st.ScreenPop.RecentInteractions(ctx, []int64{top.ID, low.ID}, 3)
	check(err)
	if got := recent[top.ID]; len(got) != 3 || got[0].Summary != "note 6" || got[2].Summary != "note 4" {
		t.Errorf("recent of top = %+v, want notes 6, 5, 4", got)
	}
	if len(recent[low.ID]) != 0 {
		t.Errorf("recent of low = %+v", recent[low.ID])
	}

	names, err := st.ScreenPop.UserNames(ctx, []int64{owner.ID, gone.ID, 999999})
	check(err)
	if names[owner.ID] != "Olga Owner" || names[gone.ID] != "gone" || len(names) != 2 {
		t.Errorf("names = %v", names)
	}

	for ep, want := range map[string]string{"PJSIP/2001": "olga", "PJSIP/2009": "", "PJSIP/7777": ""} {
		login, found, err := st.ScreenPop.AgentForEndpoint(ctx, ep)
		check(err)
		if login != want || found != (want != "") {
			t.Errorf("agent for %s = %q %v, want %q", ep, login, found, want)
		}
	}

	prio, ep, found, err := st.ScreenPop.RouteByPhone(ctx, phone)
	check(err)
	if !found || prio != "A" || ep != "PJSIP/2001" {
		t.Errorf("route = %q %q %v, want the A client's owner's first endpoint", prio, ep, found)
	}
	if _, _, found, err := st.ScreenPop.RouteByPhone(ctx, "+74950009999"); err != nil || found {
		t.Errorf("route of an unknown number: found=%v err=%v", found, err)
	}
	check(st.Clients.DeleteClient(ctx, top.ID))
	if prio, ep, _, _ := st.ScreenPop.RouteByPhone(ctx, phone); prio != "C" || ep != "" {
		t.Errorf("route with a disabled owner = %q %q, want C and no endpoint", prio, ep)
	}
}
