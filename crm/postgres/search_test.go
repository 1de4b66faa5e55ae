package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

func names(cs []crm.Client) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func TestListClientsQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	owner := mustUser(t, s, "sales", crm.RoleAgent)
	mustClient(t, s, crm.Client{Name: "Ivan Petrov", Company: "ООО Ромашка", Priority: "VIP", OwnerID: &owner.ID, Tags: []string{"vip-line"},
		Contacts: []crm.Contact{phone("+74951234567", "office"), email("ivan.petrov@romashka.ru")}})
	mustClient(t, s, crm.Client{Name: "Мария Сидорова", Priority: "B", Tags: []string{"retail"},
		Contacts: []crm.Contact{phone("+79031112233", "mobile")}})
	mustClient(t, s, crm.Client{Name: "ЗАО Вектор", Kind: crm.ClientCompany, Priority: "A",
		Contacts: []crm.Contact{email("info@vektor.example")}})
	mustClient(t, s, crm.Client{Name: "100% Discount_Shop", Kind: crm.ClientCompany})

	for _, tc := range []struct {
		name string
		f    crm.ClientFilter
		want []string
	}{
		{"all", crm.ClientFilter{}, []string{"100% Discount_Shop", "Ivan Petrov", "ЗАО Вектор", "Мария Сидорова"}},
		{"name part, any case", crm.ClientFilter{Query: "petr"}, []string{"Ivan Petrov"}},
		{"cyrillic, any case", crm.ClientFilter{Query: "сидор"}, []string{"Мария Сидорова"}},
		{"company", crm.ClientFilter{Query: "ромашка"}, []string{"Ivan Petrov"}},
		{"email part", crm.ClientFilter{Query: "VEKTOR.exa"}, []string{"ЗАО Вектор"}},
		{"phone digits part", crm.ClientFilter{Query: "4567"}, []string{"Ivan Petrov"}},
		{"phone as written", crm.ClientFilter{Query: "(495) 123-45"}, []string{"Ivan Petrov"}},
		{"full E.164", crm.ClientFilter{Query: "+79031112233"}, []string{"Мария Сидорова"}},
		{"national with trunk 8", crm.ClientFilter{Query: "8 (495) 123-45-67"}, []string{"Ivan Petrov"}},
		{"national mobile with trunk 8", crm.ClientFilter{Query: "89031112233"}, []string{"Мария Сидорова"}},
		{"percent is literal", crm.ClientFilter{Query: "100%"}, []string{"100% Discount_Shop"}},
		{"underscore is literal", crm.ClientFilter{Query: "t_s"}, []string{"100% Discount_Shop"}},
		{"lone wildcard matches nothing extra", crm.ClientFilter{Query: "%"}, []string{"100% Discount_Shop"}},
		{"no match", crm.ClientFilter{Query: "zzz"}, nil},
		{"priority", crm.ClientFilter{Priority: "A"}, []string{"ЗАО Вектор"}},
		{"owner", crm.ClientFilter{OwnerID: &owner.ID}, []string{"Ivan Petrov"}},
		{"tag", crm.ClientFilter{Tag: "retail"}, []string{"Мария Сидорова"}},
		{"query and priority", crm.ClientFilter{Query: "a", Priority: "VIP"}, []string{"Ivan Petrov"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.Clients.ListClients(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(page.Items); !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if page.Next != "" {
				t.Fatalf("single page has a next cursor %q", page.Next)
			}
		})
	}
	page, _ := s.Clients.ListClients(ctx, crm.ClientFilter{Query: "4567"})
	if len(page.Items[0].Contacts) != 2 {
		t.Fatalf("listed client lacks contacts: %+v", page.Items[0])
	}
	_, err := s.Clients.ListClients(ctx, crm.ClientFilter{Query: "bad \xff utf-8"})
	wantKind(t, err, crm.KindInvalid, "q")
	_, err = s.Clients.ListClients(ctx, crm.ClientFilter{Query: "nul\x00"})
	wantKind(t, err, crm.KindInvalid, "q")
	_, err = s.Clients.ListClients(ctx, crm.ClientFilter{After: "not a cursor!"})
	wantKind(t, err, crm.KindInvalid, "after")
	_, err = s.Clients.ListClients(ctx, crm.ClientFilter{After: "eyJpIjowfQ"}) // {"i":0}
	wantKind(t, err, crm.KindInvalid, "after")
}

// TestInjectionStringsVerbatim stores hostile strings in every text field and
// gets them back unchanged, with the schema intact.
func testInjectionStringsVerbatim(t *testing.T, s *postgres.Services) {
	ctx := context.Background()
	hostile := []string{
		`'; DROP TABLE clients;--`,
		`<script>alert("x")</script>`,
		`Robert'); DELETE FROM contacts WHERE ('1'='1`,
		`\'; SELECT pg_sleep(5);--`,
		"tab\tnew\nline \u2028 emoji 📞 nul-free",
		`$1 $$ %s %v {{.}}`,
	}
	for _, h := range hostile {
		c := mustClient(t, s, crm.Client{Name: h, Company: h, Notes: h, Tags: []string{h},
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74953330000", Raw: h, Label: h}}})
		got, err := s.Clients.GetClient(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != h || got.Company != h || got.Notes != h || got.Tags[0] != h || got.Contacts[0].Raw != h || got.Contacts[0].Label != h {
			t.Fatalf("hostile string changed: %+v", got)
		}
		page, err := s.Clients.ListClients(ctx, crm.ClientFilter{Query: h})
		if err != nil {
			t.Fatalf("search for %q: %v", h, err)
		}
		if !slices.Contains(names(page.Items), h) {
			t.Fatalf("search for %q did not find it: %q", h, names(page.Items))
		}
		i := crm.Interaction{ClientID: c.ID, Kind: crm.InteractionNote, Summary: h, Body: h, RefType: "note", RefID: h}
		if err := s.Clients.AddInteraction(ctx, &i); err != nil {
			t.Fatal(err)
		}
		tl, err := s.Clients.Timeline(ctx, c.ID, "", 10)
		if err != nil || tl.Items[0].Summary != h || tl.Items[0].Body != h || tl.Items[0].RefID != h {
			t.Fatalf("timeline = %+v, %v", tl.Items, err)
		}
	}
	found, err := s.Clients.FindClientsByPhone(ctx, "+74953330000")
	if err != nil || len(found) != len(hostile) {
		t.Fatalf("after hostile inserts: %d clients, %v", len(found), err)
	}
	if _, err := s.Clients.FindClientsByPhone(ctx, `' OR '1'='1`); err != nil {
		t.Fatal(err)
	}
}

// TestPaginationWhileInserting walks the client list in small pages while
// new clients are inserted before and after the cursor: every client that
// existed when the walk began appears exactly once, in order.
func TestPaginationWhileInserting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	existing := map[int64]bool{}
	for i := range 60 {
		// Duplicate names on purpose: the id breaks ties.
		c := mustClient(t, s, crm.Client{Name: fmt.Sprintf("Client %02d", i/2)})
		existing[c.ID] = true
	}
	seen := map[int64]bool{}
	var all []crm.Client
	after := ""
	for pages := 0; ; pages++ {
		if pages > 40 {
			t.Fatal("pagination does not end")
		}
		page, err := s.Clients.ListClients(ctx, crm.ClientFilter{After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Items {
			if seen[c.ID] {
				t.Fatalf("client %d (%s) seen twice", c.ID, c.Name)
			}
			seen[c.ID] = true
		}
		all = append(all, page.Items...)
		// Inserts on both sides of the cursor between pages.
		mustClient(t, s, crm.Client{Name: fmt.Sprintf("Client %02d", pages)})
		mustClient(t, s, crm.Client{Name: "AAA inserted before"})
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	for id := range existing {
		if !seen[id] {
			t.Fatalf("client %d missed by the walk", id)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b crm.Client) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	}) {
		t.Fatal("pages are not in (name, id) order")
	}
	// No limit: the default page size of 50.
	page, err := s.Clients.ListClients(ctx, crm.ClientFilter{})
	if err != nil || len(page.Items) != 50 || page.Next == "" {
		t.Fatalf("default limit: %d items, next %q, %v", len(page.Items), page.Next, err)
	}
}
