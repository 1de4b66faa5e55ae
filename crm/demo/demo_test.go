package demo_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/demo"
	"hotline/crm/phone"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

var _ demo.Store = (*postgres.ClientService)(nil)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func fastHash(pw string) (string, error) {
	return auth.HashPasswordWith(pw, auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
}

func allClients(t *testing.T, s *postgres.Services) []crm.Client {
	t.Helper()
	var all []crm.Client
	after := ""
	for {
		page, err := s.Clients.ListClients(context.Background(), crm.ClientFilter{After: after, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all
		}
		after = page.Next
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	logins, err := demo.Seed(ctx, s.Clients, demo.Staff{Users: s.Users, Teams: s.Teams}, demo.Options{Now: func() time.Time { return now }, HashPassword: fastHash, Language: "ru"})
	if err != nil {
		t.Fatal(err)
	}

	// Eight users, admin first, agents on PJSIP/1001..1005, working passwords.
	if len(logins) != 8 || logins[0].Login != "admin" || logins[0].Role != crm.RoleAdmin {
		t.Fatalf("logins = %+v", logins)
	}
	for _, l := range logins {
		if len(l.Password) < 12 {
			t.Fatalf("weak generated password for %s: %q", l.Login, l.Password)
		}
		u, hash, err := s.Users.GetUserByLogin(ctx, l.Login)
		if err != nil {
			t.Fatal(err)
		}
		// the staff speak the centre's language whatever their browser asks for
		if u.Language != "ru" {
			t.Errorf("%s's language is %q, want the centre's ru", l.Login, u.Language)
		}
		if ok, err := auth.CheckPassword(hash, l.Password); !ok || err != nil {
			t.Fatalf("printed password of %s does not log in: %v", l.Login, err)
		}
	}
	roster, err := s.Users.ListAgentEndpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if got := roster[fmt.Sprintf("PJSIP/100%d", i)]; got != fmt.Sprintf("agent%d", i) {
			t.Fatalf("PJSIP/100%d belongs to %q; roster %v", i, got, roster)
		}
	}
	var printed bytes.Buffer
	if err := logins.Print(&printed); err != nil || !strings.Contains(printed.String(), logins[3].Password) {
		t.Fatalf("printed logins:\n%s", printed.String())
	}

	// The transcripts' caller is a VIP person found by his number.
	found, err := s.Clients.FindClientsByPhone(ctx, demo.CallerNumber)
	if err != nil || len(found) != 1 {
		t.Fatalf("caller lookup = %+v, %v", found, err)
	}
	ivan := found[0]
	if ivan.Name != demo.CallerName || ivan.Kind != crm.ClientPerson || ivan.Priority != "VIP" {
		t.Fatalf("caller = %+v", ivan)
	}
	if tl, err := s.Clients.Timeline(ctx, ivan.ID, "", 50); err != nil || len(tl.Items) != 6 {
		t.Fatalf("caller timeline: %d entries, %v", len(tl.Items), err)
	}

	clients := allClients(t, s)
	if len(clients) != demo.DefaultClients {
		t.Fatalf("%d clients, want %d", len(clients), demo.DefaultClients)
	}
	classes := map[string]int{}
	kinds := map[crm.ClientKind]int{}
	owners := map[string][]int64{}
	emails := 0
	norm := phone.Normalizer{Region: "RU"}
	for _, c := range clients {
		classes[c.Priority]++
		kinds[c.Kind]++
		for _, ct := range c.Contacts {
			switch ct.Kind {
			case crm.ContactPhone:
				if e, err := norm.E164(ct.Value); err != nil || e != ct.Value {
					t.Fatalf("client %q has invalid number %q: %v", c.Name, ct.Value, err)
				}
				owners[ct.Value] = append(owners[ct.Value], c.ID)
			case crm.ContactEmail:
				emails++
			}
		}
	}
	for _, p := range []string{"VIP", "A", "B", "C"} {
		if classes[p] < 3 {
			t.Fatalf("priority classes poorly spread: %v", classes)
		}
	}
	if kinds[crm.ClientPerson] < 100 || kinds[crm.ClientCompany] < 30 || emails < 100 {
		t.Fatalf("kinds %v, %d emails", kinds, emails)
	}
	shared := 0
	for _, ids := range owners {
		if len(ids) > 1 {
			shared++
		}
	}
	if shared < 3 {
		t.Fatalf("only %d shared numbers", shared)
	}

	// Seeding again does nothing.
	again, err := demo.Seed(ctx, s.Clients, demo.Staff{Users: s.Users, Teams: s.Teams}, demo.Options{HashPassword: fastHash})
	if err != nil || again != nil {
		t.Fatalf("second seed = %v, %v", again, err)
	}
	if n := len(allClients(t, s)); n != demo.DefaultClients {
		t.Fatalf("second seed changed the client count to %d", n)
	}
}

// TestSeedDeterministic: the same seed gives the same clients; a given
// password is used for everyone.
func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	summary := func(s *postgres.Services) string {
		var b strings.Builder
		for _, c := range allClients(t, s) {
			fmt.Fprintf(&b, "%s|%s|%s|%s|%v", c.Name, c.Kind, c.Company, c.Priority, c.Tags)
			for _, ct := range c.Contacts {
				fmt.Fprintf(&b, "|%s %s", ct.Kind, ct.Value)
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	opts := demo.Options{Seed: 7, Clients: 40, Password: "demo-password", Now: func() time.Time { return now }, HashPassword: fastHash}
	a, b := pgtest.NewStore(t), pgtest.NewStore(t)
	la, err := demo.Seed(ctx, a.Clients, demo.Staff{Users: a.Users, Teams: a.Teams}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, b.Clients, demo.Staff{Users: b.Users, Teams: b.Teams}, opts); err != nil {
		t.Fatal(err)
	}
	if sa, sb := summary(a), summary(b); sa != sb || strings.Count(sa, "\n") != 40 {
		t.Fatalf("same seed, different data:\n%s\n---\n%s", sa, sb)
	}
	for _, l := range la {
		if l.Password != "demo-password" {
			t.Fatalf("%s got password %q", l.Login, l.Password)
		}
	}
}
