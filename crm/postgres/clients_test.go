package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

func phone(v, label string) crm.Contact {
	return crm.Contact{Kind: crm.ContactPhone, Value: v, Label: label}
}

func email(v string) crm.Contact { return crm.Contact{Kind: crm.ContactEmail, Value: v} }

func mustClient(t *testing.T, s *postgres.Services, c crm.Client) crm.Client {
	t.Helper()
	if err := s.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatalf("create client %q: %v", c.Name, err)
	}
	return c
}

func testClientCRUD(t *testing.T, s *postgres.Services) {
	ctx := context.Background()
	owner := mustUser(t, s, "sales1", crm.RoleAgent)

	c := mustClient(t, s, crm.Client{
		Name: "  Ivan Petrov ", Company: "ООО Ромашка", Priority: "VIP", OwnerID: &owner.ID,
		Tags: []string{"wholesale", "moscow"}, Notes: "prefers mornings",
		Contacts: []crm.Contact{phone("+74951234567", "office"), email("Ivan@Example.RU")},
	})
	if c.ID == 0 || c.Name != "Ivan Petrov" || c.CreatedAt.IsZero() || c.Contacts[0].ID == 0 || c.Contacts[1].ClientID != c.ID {
		t.Fatalf("created = %+v", c)
	}
	got, err := s.Clients.GetClient(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ivan Petrov" || got.Kind != crm.ClientPerson || got.Priority != "VIP" || *got.OwnerID != owner.ID ||
		!slices.Equal(got.Tags, []string{"wholesale", "moscow"}) || len(got.Contacts) != 2 {
		t.Fatalf("GetClient = %+v", got)
	}
	if got.Contacts[0].Value != "+74951234567" || got.Contacts[0].Raw != "+74951234567" || got.Contacts[1].Value != "ivan@example.ru" {
		t.Fatalf("contacts = %+v", got.Contacts)
	}

	// No priority: the lowest class. No tags: an empty list, not nil.
	plain := mustClient(t, s, crm.Client{Name: "Walk-in", Kind: crm.ClientCompany})
	if plain.Priority != "C" || plain.Tags == nil {
		t.Fatalf("defaults = priority %q tags %v", plain.Priority, plain.Tags)
	}

	// Update with a new contact list: kept contacts keep their IDs.
	keptID := got.Contacts[0].ID
	got.Name, got.Priority, got.Tags = "Ivan I. Petrov", "A", nil
	got.Contacts = []crm.Contact{phone("+74951234567", "office, new label"), phone("+79161234567", "mobile")}
	if err := s.Clients.UpdateClient(ctx, &got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Clients.GetClient(ctx, c.ID)
	if again.Name != "Ivan I. Petrov" || again.Priority != "A" || len(again.Tags) != 0 || len(again.Contacts) != 2 ||
		again.Contacts[0].ID != keptID || again.Contacts[0].Label != "office, new label" || again.Contacts[1].Value != "+79161234567" {
		t.Fatalf("after update = %+v", again)
	}
	if !again.UpdatedAt.After(c.UpdatedAt) && !again.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("updated_at went back")
	}
	// Nil contacts leave them alone; an empty list removes them.
	again.Contacts = nil
	again.Notes = "x"
	if err := s.Clients.UpdateClient(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Clients.GetClient(ctx, c.ID); len(g.Contacts) != 2 || g.Notes != "x" {
		t.Fatalf("nil contacts changed them: %+v", g)
	}
	plain.Contacts = []crm.Contact{phone("+74950001122", "")}
	if err := s.Clients.UpdateClient(ctx, &plain); err != nil {
		t.Fatal(err)
	}
	plain.Contacts = []crm.Contact{}
	if err := s.Clients.UpdateClient(ctx, &plain); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Clients.GetClient(ctx, plain.ID); len(g.Contacts) != 0 || g.Contacts == nil {
		t.Fatalf("empty contact list kept %+v", g.Contacts)
	}

	// Contacts one by one.
	ct := crm.Contact{ClientID: c.ID, Kind: crm.ContactEmail, Value: "petrov@romashka.ru"}
	if err := s.Clients.AddContact(ctx, &ct); err != nil || ct.ID == 0 {
		t.Fatalf("AddContact = %v", err)
	}
	dup := phone("+79161234567", "")
	dup.ClientID = c.ID
	wantKind(t, s.Clients.AddContact(ctx, &dup), crm.KindConflict, "contacts")
	orphan := phone("+79161234567", "")
	orphan.ClientID = 999999
	wantKind(t, s.Clients.AddContact(ctx, &orphan), crm.KindNotFound, "")
	if err := s.Clients.DeleteContact(ctx, c.ID, ct.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.Clients.DeleteContact(ctx, c.ID, ct.ID), crm.KindNotFound, "")
	wantKind(t, s.Clients.DeleteContact(ctx, plain.ID, keptID), crm.KindNotFound, "") // another client's contact

	if err := s.Clients.DeleteClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Clients.GetClient(ctx, c.ID)
	wantKind(t, err, crm.KindNotFound, "")
	wantKind(t, s.Clients.DeleteClient(ctx, c.ID), crm.KindNotFound, "")
	if found, _ := s.Clients.FindClientsByPhone(ctx, "+74951234567"); len(found) != 0 {
		t.Fatalf("deleted client's contacts still found: %+v", found)
	}
	gone := crm.Client{ID: c.ID, Name: "x"}
	wantKind(t, s.Clients.UpdateClient(ctx, &gone), crm.KindNotFound, "")
}

func TestClientConstraintErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	missingOwner := int64(777)
	for _, tc := range []struct {
		name  string
		c     crm.Client
		kind  crm.ErrorKind
		field string
	}{
		{"no name", crm.Client{Name: "  "}, crm.KindInvalid, "name"},
		{"bad kind", crm.Client{Name: "x", Kind: "robot"}, crm.KindInvalid, "kind"},
		{"unknown priority", crm.Client{Name: "x", Priority: "GOLD"}, crm.KindInvalid, "priority"},
		{"unknown owner", crm.Client{Name: "x", OwnerID: &missingOwner}, crm.KindInvalid, "owner_id"},
		{"phone not E.164", crm.Client{Name: "x", Contacts: []crm.Contact{phone("8 495 123-45-67", "")}}, crm.KindInvalid, "contacts"},
		{"bad email", crm.Client{Name: "x", Contacts: []crm.Contact{email("not-an-email")}}, crm.KindInvalid, "contacts"},
		{"phone twice", crm.Client{Name: "x", Contacts: []crm.Contact{phone("+74951234567", "a"), phone("+74951234567", "b")}}, crm.KindInvalid, "contacts"},
		{"empty tag", crm.Client{Name: "x", Tags: []string{" "}}, crm.KindInvalid, "tags"},
		{"nul in name", crm.Client{Name: "a\x00b"}, crm.KindInvalid, "name"},
		{"invalid utf-8 notes", crm.Client{Name: "x", Notes: "\xc3\x28"}, crm.KindInvalid, "notes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			wantKind(t, s.Clients.CreateClient(ctx, &c), tc.kind, tc.field)
		})
	}
	// Nothing was stored by the failed creates.
	page, err := s.Clients.ListClients(ctx, crm.ClientFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("failed creates stored %d clients (%v)", len(page.Items), err)
	}
}

// TestSharedPhone: one number on several clients is allowed and the screen
// pop lists them all, the highest priority first.
func testSharedPhone(t *testing.T, s *postgres.Services) {
	ctx := context.Background()
	const office = "+74957654321"
	mustClient(t, s, crm.Client{Name: "Мария Иванова", Priority: "B", Contacts: []crm.Contact{phone(office, "office")}})
	vip := mustClient(t, s, crm.Client{Name: "ЗАО Вектор", Kind: crm.ClientCompany, Priority: "VIP",
		Contacts: []crm.Contact{phone(office, "reception"), phone("+74950000001", "")}})
	mustClient(t, s, crm.Client{Name: "Other", Contacts: []crm.Contact{phone("+74950000002", "")}})

	found, err := s.Clients.FindClientsByPhone(ctx, office)
	if err != nil || len(found) != 2 {
		t.Fatalf("FindClientsByPhone = %d clients, %v", len(found), err)
	}
	if found[0].ID != vip.ID || found[1].Name != "Мария Иванова" || len(found[0].Contacts) != 2 {
		t.Fatalf("order or contacts wrong: %+v", found)
	}
	if none, err := s.Clients.FindClientsByPhone(ctx, "+70000000000"); err != nil || len(none) != 0 {
		t.Fatalf("unknown number: %v, %v", none, err)
	}
}

// TestConcurrentCreateClient creates clients sharing a number from many
// goroutines: all succeed and all are found by that number.
func testConcurrentCreateClient(t *testing.T, s *postgres.Services) {
	ctx := context.Background()
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c := crm.Client{Name: fmt.Sprintf("Family member %02d", i),
				Contacts: []crm.Contact{phone("+74991112233", "home"), phone(fmt.Sprintf("+7916000%04d", i), "mobile")}}
			errs[i] = s.Clients.CreateClient(ctx, &c)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %d: %v", i, err)
		}
	}
	found, err := s.Clients.FindClientsByPhone(ctx, "+74991112233")
	if err != nil || len(found) != n {
		t.Fatalf("found %d of %d, %v", len(found), n, err)
	}
}
