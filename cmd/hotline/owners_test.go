package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/funnel"
	"hotline/crm/httpapi"
	"hotline/crm/kb"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// shared are the operations with an id in the path whose records every
// agent may act on: the centre's clients, products, knowledge base,
// surveys, projects, SLA plans, and the caller's own console cards (by the
// caller's login, not by another agent's).
var shared = map[string]string{
	"get-client": "clients", "update-client": "clients", "delete-client": "clients", "add-contact": "clients",
	"delete-contact": "clients", "get-timeline": "clients", "add-note": "clients", "list-purchased-products": "clients",
	"get-client-availability": "clients", "get-client-priority": "clients", "set-client-priority": "clients", "get-client-notify": "clients", "set-client-notify": "clients", "get-availability": "products", "get-article": "knowledge base",
	"get-survey": "surveys", "get-project": "projects", "export-project-mspdi": "projects", "project-gantt": "projects",
	"close-pop": "own card", "refresh-pop": "own card", "wrap-up-pop": "own card",
	"ticket-status": "public by token", "get-sla-plan": "SLA plans",
}

// TestEveryRecordOperationChecksTheOwner is the per-record column of the
// role matrix: for every operation with an id in its path that agents may
// call, an agent who does not own the record (a deal, request, reservation,
// document or call of another agent) gets 404, or 403 where deals say so;
// the owner is let through. An operation neither owned nor listed in
// shared fails the test, so a new one must say which it is.
func TestEveryRecordOperationChecksTheOwner(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	owner, ownerToken := matrixUser(t, st, "owner-agent")
	_, otherToken := matrixUser(t, st, "other-agent")
	ids := ownedRecords(t, st, owner)

	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()

	// owned: which record an operation's {id} names, and the answer an
	// agent who does not own it gets.
	bodies := map[string]string{
		"update-deal": `{"title":"Bigger order"}`, "move-deal": fmt.Sprintf(`{"stage_id":%d}`, ids["stage"]),
		"add-deal-activity": `{"kind":"meeting","note":"at their office"}`,
		"update-ticket":     `{"status":"in_progress"}`, "log-ticket-work": `{"minutes":15,"note":"call back"}`,
		"add-ticket-material": `{"description":"Cable","amount":120.5}`, "add-ticket-comment": `{"body":"looking"}`,
		"send-ticket-email": `{"to":"c@example.com","body":"hello"}`, "link-ticket-call": `{"linkedid":"1764140000.9"}`,
		"link-ticket-article":  fmt.Sprintf(`{"article_id":%d}`, ids["article"]),
		"add-document-version": `{"filename":"v2.txt","content":"RGVhciB7ey5DbGllbnQuTmFtZX19"}`,
		"set-document-grants":  `{"grants":[{"kind":"role","who":"supervisor"}]}`,
	}
	owned := map[string]struct {
		kind   string
		denied int
	}{
		"get-deal": {"deal", 403}, "update-deal": {"deal", 403}, "move-deal": {"deal", 403},
		"deal-history": {"deal", 403}, "add-deal-activity": {"deal", 403},
		"get-ticket": {"ticket", 404}, "update-ticket": {"ticket", 404}, "log-ticket-work": {"ticket", 404},
		"add-ticket-material": {"ticket", 404}, "get-ticket-thread": {"ticket", 404}, "add-ticket-comment": {"ticket", 404},
		"send-ticket-email": {"ticket", 404}, "link-ticket-call": {"ticket", 404}, "link-ticket-article": {"ticket", 404},
		"get-reservation": {"reservation", 404}, "release-reservation": {"reservation", 404},
		"get-document": {"document", 404}, "add-document-version": {"document", 404}, "set-document-grants": {"document", 404},
		"download-document": {"document", 404}, "fill-document-template": {"document", 404},
		"get-call": {"call", 404},
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	checked := 0
	for path, item := range api.API().OpenAPI().Paths {
		if !strings.Contains(path, "{") {
			continue
		}
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post,
			http.MethodPut: item.Put, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil {
				continue
			}
			access, ok := httpapi.AccessOf(op)
			if !ok || (!access.Public && !slices.Contains(access.Roles, crm.RoleAgent)) {
				continue // agents are refused by role already (the role matrix)
			}
			o, isOwned := owned[op.OperationID]
			if !isOwned {
				if _, ok := shared[op.OperationID]; !ok {
					t.Errorf("%s %s (%s) takes an id: list it as owned (with its record) or shared in owners_test.go", method, path, op.OperationID)
				}
				continue
			}
			checked++
			url := srv.URL + param.ReplaceAllString(path, fmt.Sprint(ids[o.kind]))
			if op.OperationID == "fill-document-template" {
				url += fmt.Sprintf("?client_id=%d", ids["client"])
			}
			if code := callWith(t, method, url, otherToken, bodies[op.OperationID]); code != o.denied {
				t.Errorf("%s %s (%s) as another agent: %d, want %d", method, path, op.OperationID, code, o.denied)
			}
			if o.kind == "call" {
				continue // no call is the owner's here; calls_test covers the owner's view
			}
			if code := callWith(t, method, url, ownerToken, bodies[op.OperationID]); code < 200 || code > 299 {
				t.Errorf("%s %s (%s) as the owner: %d, want 2xx", method, path, op.OperationID, code)
			}
		}
	}
	if checked < len(owned) {
		t.Errorf("checked %d owned operations of %d listed: the wiring lost some", checked, len(owned))
	}
}

// matrixUser creates an agent with a bearer token.
func matrixUser(t *testing.T, st *postgres.Services, login string) (crm.User, string) {
	t.Helper()
	u, err := auth.CreateUser(context.Background(), st.Users, crm.User{Login: login, Role: crm.RoleAgent}, "password-long-enough")
	if err != nil {
		t.Fatal(err)
	}
	plain, hash := auth.NewToken()
	if _, err := st.Users.CreateAPIToken(context.Background(), u.ID, "owners", hash); err != nil {
		t.Fatal(err)
	}
	return u, plain
}

// ownedRecords creates one record of each owned kind belonging to owner
// and returns their ids by kind.
func ownedRecords(t *testing.T, st *postgres.Services, owner crm.User) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	c := crm.Client{Name: "Owned client", Kind: crm.ClientPerson}
	must(t, st.Clients.CreateClient(ctx, &c))
	ids["client"] = c.ID
	d := funnel.Deal{ClientID: c.ID, OwnerID: owner.ID, Amount: 100_00}
	must(t, st.Funnel.CreateDeal(ctx, &d, &owner.ID, time.Now().Add(-time.Hour)))
	ids["deal"] = d.ID
	f, err := st.Funnel.GetFunnel(ctx, 0)
	must(t, err)
	ids["stage"] = f.Stages[1].ID
	a := kb.Article{Title: "Owners article", Body: "body", Lang: kb.LangEnglish, Visibility: kb.VisibilityPublic}
	must(t, st.KB.SaveArticle(ctx, &a))
	ids["article"] = a.ID
	tk := service.Ticket{ClientID: c.ID, Subject: "Owned request", Priority: service.PriorityNormal, AssigneeID: &owner.ID, CreatedBy: &owner.ID}
	must(t, st.Tickets.CreateTicket(ctx, &tk))
	ids["ticket"] = tk.ID
	p := resource.Product{SKU: "OWN-1", Name: "Router", Price: 1000}
	must(t, st.Stock.CreateProduct(ctx, &p))
	w := resource.Warehouse{Code: "OWN", Name: "Store"}
	must(t, st.Stock.CreateWarehouse(ctx, &w))
	_, err = st.Stock.Receive(ctx, resource.ReceiptInput{ProductID: p.ID, WarehouseID: w.ID, Batch: "B", Qty: 10, UnitCost: 500})
	must(t, err)
	r, err := st.Stock.Reserve(ctx, resource.ReserveInput{ProductID: p.ID, Qty: 1, ClientID: &c.ID, TTL: time.Hour, UserID: owner.ID})
	must(t, err)
	ids["reservation"] = r.ID
	doc := resource.Document{Title: "Owned template", Category: resource.DocTemplate}
	must(t, st.Documents.CreateDocument(ctx, resource.Reader{UserID: owner.ID, Role: crm.RoleAgent}, &doc,
		resource.Upload{Filename: "t.txt", Content: []byte("Dear {{.Client.Name}}")}, 0))
	ids["document"] = doc.ID
	ids["call"] = 1 << 40 // no call is the other agent's: the check answers 404 like an unknown call
	return ids
}

// callWith sends body (JSON; "" sends "{}" for methods with a body) with
// the bearer token and returns the status.
func callWith(t *testing.T, method, url, token, body string) int {
	t.Helper()
	if body == "" {
		return call(t, method, url, token)
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
