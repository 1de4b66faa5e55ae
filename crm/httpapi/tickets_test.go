package httpapi_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/kb"
	"hotline/crm/postgres"
	"hotline/crm/service"
)

// deskEnv is the API server with the service desk registered and a team
// with the test agent.
type deskEnv struct {
	*env
	team service.Team
	ops  []string // the operation ids RegisterTickets added
}

// productTerms is a hand-written ProductTerms: product 1 has critical
// support until the end of 2099, product 2's support has ended.
type productTerms struct{}

var _ service.ProductTerms = productTerms{}

func (productTerms) SupportTerms(_ context.Context, _, productID int64) (*service.SupportTerms, error) {
	switch productID {
	case 1:
		return &service.SupportTerms{ProductID: 1, Priority: service.PriorityCritical, Until: time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)}, nil
	case 2:
		return &service.SupportTerms{ProductID: 2, Priority: service.PriorityCritical, Until: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
	}
	return nil, nil
}

// ticketDeps are the service desk's services over st, with products'
// support terms from products.
func ticketDeps(st *postgres.Services, products service.ProductTerms) httpapi.TicketDeps {
	return httpapi.TicketDeps{Tickets: st.Tickets, Messages: st.Tickets, Costs: st.Tickets, SLA: st.SLA,
		Articles: st.KB, Outbox: st.Notify, Products: products}
}

func newDeskEnv(t *testing.T) *deskEnv {
	t.Helper()
	e := newEnv(t)
	before := map[string]bool{}
	for _, op := range operations(e.srv.API()) {
		before[op.OperationID] = true
	}
	d := &deskEnv{env: e}
	httpapi.RegisterTickets(e.srv, ticketDeps(e.store, productTerms{}))
	httpapi.RegisterKB(e.srv, httpapi.KBDeps{KB: e.store.KB})
	httpapi.RegisterNotifications(e.srv, httpapi.NotificationDeps{Notices: e.store.Notify, Notify: e.store.Notify})
	httpapi.RegisterTeams(e.srv, httpapi.TeamDeps{Teams: e.store.Teams})
	for _, op := range operations(e.srv.API()) {
		if !before[op.OperationID] {
			d.ops = append(d.ops, op.OperationID)
		}
	}
	sup := e.users[crm.RoleSupervisor].ID
	d.team = service.Team{Name: "Line 1", LeadID: &sup, Members: []int64{e.users[crm.RoleAgent].ID}}
	if err := e.store.Teams.CreateTeam(context.Background(), &d.team); err != nil {
		t.Fatal(err)
	}
	return d
}

// teamTicket stores a ticket of the agent's team.
func (d *deskEnv) teamTicket(subject string) service.Ticket {
	d.t.Helper()
	c := d.newClient("Desk client "+subject, "")
	tk := service.Ticket{ClientID: c.ID, Subject: subject, TeamID: &d.team.ID}
	if err := d.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		d.t.Fatal(err)
	}
	return tk
}

func deskSamples(d *deskEnv) map[string]func() (string, any) {
	ticketPath := func(suffix string, body any) func() (string, any) {
		return func() (string, any) {
			tk := d.teamTicket(fmt.Sprintf("Matrix %d", seq.Add(1)))
			return fmt.Sprintf("/api/v1/tickets/%d%s", tk.ID, suffix), body
		}
	}
	article := kb.Article{Title: "Matrix article", Body: "body", Lang: kb.LangEnglish, Visibility: kb.VisibilityPublic}
	if err := d.store.KB.SaveArticle(context.Background(), &article); err != nil {
		d.t.Fatal(err)
	}
	plan := map[string]any{"name": "P", "time_zone": "Europe/Moscow", "hours": map[string]string{"mon": "09:00-18:00"},
		"targets": map[string]any{"critical": map[string]int{"response_minutes": 10, "resolution_minutes": 60},
			"high": map[string]int{"response_minutes": 10, "resolution_minutes": 60}, "normal": map[string]int{"response_minutes": 10, "resolution_minutes": 60},
			"low": map[string]int{"response_minutes": 10, "resolution_minutes": 60}}}
	named := func(body map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range body {
			out[k] = v
		}
		out["name"] = fmt.Sprintf("Plan %d", seq.Add(1))
		return out
	}
	return map[string]func() (string, any){
		"list-tickets": func() (string, any) { return "/api/v1/tickets?status=open", nil },
		"create-ticket": func() (string, any) {
			c := d.newClient("Matrix creator", "")
			return "/api/v1/tickets", map[string]any{"client_id": c.ID, "subject": "From the pop", "call": "1764140000.7"}
		},
		"get-ticket":          ticketPath("", nil),
		"update-ticket":       ticketPath("", map[string]any{"status": "in_progress"}),
		"get-ticket-thread":   ticketPath("/thread", nil),
		"add-ticket-comment":  ticketPath("/comments", map[string]any{"body": "looking"}),
		"send-ticket-email":   ticketPath("/emails", map[string]any{"to": "c@example.com", "body": "hello"}),
		"link-ticket-call":    ticketPath("/calls", map[string]any{"linkedid": "1764140000.9"}),
		"link-ticket-article": ticketPath("/articles", map[string]any{"article_id": article.ID}),
		"receive-email": func() (string, any) {
			tk := d.teamTicket("Inbound")
			return "/api/v1/inbound-email", map[string]any{"from": "c@example.com", "subject": fmt.Sprintf("Re: [#%d]", tk.ID), "body": "thanks"}
		},
		"ticket-status": func() (string, any) {
			tk := d.teamTicket("Public")
			return "/api/v1/status/" + tk.PublicToken, nil
		},
		"list-sla-plans":  func() (string, any) { return "/api/v1/sla-plans", nil },
		"create-sla-plan": func() (string, any) { return "/api/v1/sla-plans", named(plan) },
		"update-sla-plan": func() (string, any) {
			p := service.StandardPlan()
			p.Name, p.Default = fmt.Sprintf("Upd %d", seq.Add(1)), false
			if err := d.store.SLA.SaveSLAPlan(context.Background(), &p); err != nil {
				d.t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/sla-plans/%d", p.ID), named(plan)
		},
		"set-client-sla-plan": func() (string, any) {
			c := d.newClient("Plan client", "")
			return fmt.Sprintf("/api/v1/clients/%d/sla-plan", c.ID), map[string]any{"plan_id": 0}
		},
		"list-teams": func() (string, any) { return "/api/v1/teams", nil },
		"create-team": func() (string, any) {
			return "/api/v1/teams", map[string]any{"name": fmt.Sprintf("Team %d", seq.Add(1))}
		},
		"search-articles": func() (string, any) {
			return "/api/v1/kb/articles?q=matrix", nil
		},
		"suggest-articles": func() (string, any) { return "/api/v1/kb/suggest?q=matr", nil },
		"get-article":      func() (string, any) { return fmt.Sprintf("/api/v1/kb/articles/%d", article.ID), nil },
		"create-article": func() (string, any) {
			return "/api/v1/kb/articles", map[string]any{"title": "New", "body": "b", "lang": "ru", "visibility": "internal", "category": "Общее"}
		},
		"update-article": func() (string, any) {
			return fmt.Sprintf("/api/v1/kb/articles/%d", article.ID), map[string]any{"title": "Matrix article", "body": "v", "lang": "en", "visibility": "public"}
		},
		"service-report":      func() (string, any) { return "/api/v1/reports/service?from=2020-01-01&to=2100-01-01", nil },
		"list-notifications":  func() (string, any) { return "/api/v1/notifications", nil },
		"log-ticket-work":     ticketPath("/work", map[string]any{"minutes": 15, "note": "call back"}),
		"add-ticket-material": ticketPath("/materials", map[string]any{"description": "Cable", "amount": 120.5}),
		"set-role-rate":       func() (string, any) { return "/api/v1/role-rates/agent", map[string]any{"rate_per_hour": 900} },
		"client-service-cost": func() (string, any) {
			tk := d.teamTicket("Cost")
			return fmt.Sprintf("/api/v1/clients/%d/service-cost?from=2000-01-01&to=2100-01-01", tk.ClientID), nil
		},
		"read-notifications": func() (string, any) { return "/api/v1/notifications/read", map[string]any{"up_to": 1000} },
		"get-client-notify": func() (string, any) {
			return fmt.Sprintf("/api/v1/clients/%d/notify", d.newClient("Notify get", "").ID), nil
		},
		"set-client-notify": func() (string, any) {
			return fmt.Sprintf("/api/v1/clients/%d/notify", d.newClient("Notify set", "").ID), map[string]any{"notify": "sms"}
		},
	}
}

// TestTicketRoleMatrix walks every service-desk operation with every kind
// of caller, like TestRoleMatrix does for the core operations.
func TestTicketRoleMatrix(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	smp := deskSamples(d)
	maps.Copy(smp, teamSamples(d))
	callers := map[string]*client{"anonymous": d.anon(), "agent": d.login(crm.RoleAgent), "supervisor": d.login(crm.RoleSupervisor),
		"admin": d.login(crm.RoleAdmin), "agent-token": d.tokenClient(crm.RoleAgent), "admin-token": d.tokenClient(crm.RoleAdmin)}
	roles := map[string]crm.Role{"agent": crm.RoleAgent, "supervisor": crm.RoleSupervisor, "admin": crm.RoleAdmin,
		"agent-token": crm.RoleAgent, "admin-token": crm.RoleAdmin}
	if len(d.ops) < 20 {
		t.Fatalf("RegisterTickets added only %d operations: %v", len(d.ops), d.ops)
	}
	for _, op := range operations(d.srv.API()) {
		if !slices.Contains(d.ops, op.OperationID) {
			continue
		}
		access, ok := httpapi.AccessOf(op)
		if !ok {
			t.Errorf("%s declares no roles", op.OperationID)
			continue
		}
		s, ok := smp[op.OperationID]
		if !ok {
			t.Errorf("operation %s has no sample request in tickets_test.go", op.OperationID)
			continue
		}
		for name, cl := range callers {
			path, body := s()
			resp, out := cl.do(op.Method, path, body)
			want := "2xx"
			switch {
			case access.Public:
			case name == "anonymous":
				want = "401"
			case !slices.Contains(access.Roles, roles[name]):
				want = "403"
			}
			got := resp.StatusCode
			if (want == "2xx" && (got < 200 || got > 299)) || (want == "401" && got != 401) || (want == "403" && got != 403) {
				t.Errorf("%s %s as %s: status %d, want %s: %s", op.Method, path, name, got, want, out)
			}
		}
	}
}

func TestTicketAPIFlow(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	agent, sup, anon := d.login(crm.RoleAgent), d.login(crm.RoleSupervisor), d.anon()
	vip := crm.Client{Name: "Pop VIP", Priority: "VIP", Contacts: []crm.Contact{{Kind: crm.ContactEmail, Value: "vip@example.com"}}}
	if err := d.store.Clients.CreateClient(context.Background(), &vip); err != nil {
		t.Fatal(err)
	}
	// Created from the screen pop: client and call filled in.
	resp, body := agent.do("POST", "/api/v1/tickets", map[string]any{"client_id": vip.ID, "subject": "Нет связи", "call": "1764140000.42"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var tk httpapi.TicketJSON
	mustJSON(t, body, &tk)
	if tk.Priority != "high" || tk.Status != "new" || len(tk.Calls) != 1 || tk.ResponseDue == nil || !strings.HasPrefix(tk.StatusURL, "/status/") {
		t.Fatalf("created %+v", tk)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)

	// Bad input is refused with a problem naming the field, and nothing is stored.
	for _, bad := range []map[string]any{
		{"client_id": vip.ID, "subject": ""},
		{"client_id": 99999999, "subject": "x"},
		{"client_id": vip.ID, "subject": "x", "priority": "urgent"},
		{"client_id": vip.ID, "subject": "x", "assignee_id": 99999999},
	} {
		resp, body := agent.do("POST", "/api/v1/tickets", bad)
		if p := mustProblem(t, resp, body, http.StatusUnprocessableEntity); p.Detail == "" && len(p.Errors) == 0 {
			t.Fatalf("problem without detail: %s", body)
		}
	}
	resp, body = agent.do("GET", "/api/v1/tickets?status=bogus", nil)
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = agent.do("PATCH", path, map[string]any{"status": "reopened"})
	mustProblem(t, resp, body, http.StatusConflict)

	resp, body = agent.do("PATCH", path, map[string]any{"status": "in_progress", "comment": "taking it"})
	if resp.StatusCode != 200 {
		t.Fatalf("patch: %d %s", resp.StatusCode, body)
	}
	// Internal comment, then an email to the customer (the first response).
	agent.do("POST", path+"/comments", map[string]any{"body": "internal: check the line"})
	// The e-mail is queued in the outbox; the thread shows it waiting.
	resp, body = agent.do("POST", path+"/emails", map[string]any{"to": "vip@example.com", "body": "We are on it"})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"queued":true`) {
		t.Fatalf("email: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", path+"/thread", nil)
	var queued struct {
		Messages []httpapi.OutboxJSON `json:"messages"`
	}
	mustJSON(t, body, &queued)
	var typed []httpapi.OutboxJSON
	for _, m := range queued.Messages {
		if m.Template == "" {
			typed = append(typed, m)
		}
	}
	if len(typed) != 1 || typed[0].To != "vip@example.com" || typed[0].State != "pending" ||
		!strings.HasPrefix(typed[0].Subject, fmt.Sprintf("[#%d] ", tk.ID)) {
		t.Fatalf("queued e-mails: %d %+v", resp.StatusCode, queued.Messages)
	}
	resp, body = agent.do("POST", path+"/emails", map[string]any{"to": "not an address", "body": "x"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)

	// The customer answers by email (the gateway posts it twice).
	admin := d.tokenClient(crm.RoleAdmin)
	msg := map[string]any{"from": "VIP <vip@example.com>", "subject": fmt.Sprintf("Re: [#%d] Нет связи", tk.ID), "body": "Всё ещё нет", "message_id": "<a1@x>"}
	for i, want := range []bool{true, false} {
		resp, body = admin.do("POST", "/api/v1/inbound-email", msg)
		var in struct {
			TicketID int64 `json:"ticket_id"`
			Recorded bool  `json:"recorded"`
		}
		mustJSON(t, body, &in)
		if resp.StatusCode != 200 || in.TicketID != tk.ID || in.Recorded != want {
			t.Fatalf("inbound #%d: %d %s", i, resp.StatusCode, body)
		}
	}
	// A new message without a reference opens a ticket for the sender's client.
	resp, body = admin.do("POST", "/api/v1/inbound-email", map[string]any{"from": "vip@example.com", "subject": "Second problem", "body": "..."})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"created":true`) {
		t.Fatalf("inbound new: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("POST", "/api/v1/inbound-email", map[string]any{"from": "stranger@example.com", "subject": "?", "body": "..."})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = admin.do("POST", "/api/v1/inbound-email", map[string]any{"from": "garbage", "subject": "?", "body": "..."})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)

	var thread struct {
		Events []httpapi.EventJSON `json:"events"`
	}
	resp, body = agent.do("GET", path+"/thread", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	mustJSON(t, body, &thread)
	kinds := []string{}
	for _, e := range thread.Events {
		kinds = append(kinds, e.Kind)
	}
	want := []string{"created", "call", "change", "comment", "comment", "email_out", "email_in"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("thread kinds %v, want %v", kinds, want)
	}

	// The customer's link: anonymous, public entries only.
	resp, body = anon.do("GET", "/api/v1"+tk.StatusURL, nil)
	if resp.StatusCode != 200 || strings.Contains(string(body), "internal: check") || !strings.Contains(string(body), "We are on it") {
		t.Fatalf("public status: %d %s", resp.StatusCode, body)
	}
	resp, body = anon.do("GET", "/api/v1/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil)
	mustProblem(t, resp, body, http.StatusNotFound)
	resp, body = anon.do("GET", "/api/v1/status/short", nil)
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)

	// Another team's ticket is invisible to the agent, visible to the supervisor.
	other := d.newClient("Other team's client", "")
	hidden := service.Ticket{ClientID: other.ID, Subject: "Hidden"}
	if err := d.store.Tickets.CreateTicket(context.Background(), &hidden); err != nil {
		t.Fatal(err)
	}
	hp := fmt.Sprintf("/api/v1/tickets/%d", hidden.ID)
	resp, body = agent.do("GET", hp, nil)
	mustProblem(t, resp, body, http.StatusNotFound)
	resp, body = agent.do("PATCH", hp, map[string]any{"status": "closed"})
	mustProblem(t, resp, body, http.StatusNotFound)
	if resp, _ := sup.do("GET", hp, nil); resp.StatusCode != 200 {
		t.Fatalf("supervisor: %d", resp.StatusCode)
	}
	var list struct {
		Items []httpapi.TicketJSON `json:"items"`
	}
	_, body = agent.do("GET", "/api/v1/tickets", nil)
	mustJSON(t, body, &list)
	for _, it := range list.Items {
		if it.ID == hidden.ID {
			t.Fatal("agent lists another team's ticket")
		}
	}

	// The efficiency report, JSON and CSV.
	resp, body = sup.do("GET", "/api/v1/reports/service?from=2000-01-01&to=2100-01-01&by=team&format=csv", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(body), "Team,Handled,Resolved,") {
		t.Fatalf("csv: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("GET", "/api/v1/reports/service?from=2000-01-01&to=2100-01-01", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"first_response_median_s"`) {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("GET", "/api/v1/reports/service?from=2026-02-30&to=2026-03-01", nil)
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
}

func TestKnowledgeBaseAPI(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	agent, sup := d.login(crm.RoleAgent), d.login(crm.RoleSupervisor)
	resp, body := sup.do("POST", "/api/v1/kb/articles", map[string]any{"title": "Как перезагрузить роутер",
		"body": "Отключите питание роутера на десять секунд.", "lang": "ru", "visibility": "public", "category": "Сеть", "tags": []string{"роутер"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("POST", "/api/v1/kb/articles", map[string]any{"title": "Router reboot", "body": "Unplug the routers.", "lang": "en", "visibility": "internal"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create en: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("POST", "/api/v1/kb/articles", map[string]any{"title": "x", "body": "", "lang": "de", "visibility": "public"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = agent.do("POST", "/api/v1/kb/articles", map[string]any{"title": "x", "lang": "en", "visibility": "public"})
	mustProblem(t, resp, body, http.StatusForbidden)

	resp, body = agent.do("GET", "/api/v1/kb/articles?q="+urlEscape("роутеры"), nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<mark>") || !strings.Contains(string(body), "Как перезагрузить") {
		t.Fatalf("search ru: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", "/api/v1/kb/articles?q=unplugging+router", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Router reboot") {
		t.Fatalf("search en: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", "/api/v1/kb/articles?public=true&q=router", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "Router reboot") {
		t.Fatalf("internal article in a public search: %s", body)
	}
	resp, body = agent.do("GET", "/api/v1/kb/suggest?q="+urlEscape("перезаг"), nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Как перезагрузить") {
		t.Fatalf("suggest: %d %s", resp.StatusCode, body)
	}
}

func TestTicketPriorityFromProductSupport(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	agent := d.login(crm.RoleAgent)
	c := d.newClient("Product owner", "") // class B: normal by default
	for _, tc := range []struct {
		product int64
		want    string
	}{{1, "critical"}, {2, "normal"}, {3, "normal"}} {
		resp, body := agent.do("POST", "/api/v1/tickets", map[string]any{"client_id": c.ID, "subject": "Product issue", "product_id": tc.product})
		var tk httpapi.TicketJSON
		mustJSON(t, body, &tk)
		if resp.StatusCode != http.StatusCreated || tk.Priority != tc.want || tk.ProductID == nil || *tk.ProductID != tc.product {
			t.Fatalf("product %d: %d %s", tc.product, resp.StatusCode, body)
		}
	}
}

// TestServiceCostSpeaksRoubles: the cost operations take and answer
// roubles while the store keeps kopecks: an hour of the agent's work at
// 900,50/h and a cable at 120,25 cost 1 020,75.
func TestServiceCostSpeaksRoubles(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	admin, agent := d.login(crm.RoleAdmin), d.login(crm.RoleAgent)
	tk := d.teamTicket("Costs in roubles")
	if resp, body := admin.do("PUT", "/api/v1/role-rates/agent", map[string]any{"rate_per_hour": 900.5}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("set rate: %d %s", resp.StatusCode, body)
	}
	base := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
	if resp, body := agent.do("POST", base+"/work", map[string]any{"minutes": 60}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("log work: %d %s", resp.StatusCode, body)
	}
	if resp, body := agent.do("POST", base+"/materials", map[string]any{"description": "Cable", "amount": 120.25}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("add material: %d %s", resp.StatusCode, body)
	}
	resp, body := d.login(crm.RoleSupervisor).do("GET", fmt.Sprintf("/api/v1/clients/%d/service-cost?from=2000-01-01&to=2100-01-01", tk.ClientID), nil)
	want := `{"tickets":1,"call_hours":0,"work_hours":1,"labor":900.5,"materials":120.25,"total":1020.75}`
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		t.Fatalf("service cost %d %s, want %s", resp.StatusCode, body, want)
	}
}
