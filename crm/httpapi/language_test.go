package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/internal/i18n"
	"hotline/telephony/screenpop"
)

// TestLanguageFields: users and clients carry a language through the API;
// an omitted language keeps the stored one, an unknown one is a 422.
func TestLanguageFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(crm.RoleAdmin)
	var u struct {
		ID       int64  `json:"id"`
		Language string `json:"language"`
	}
	resp, body := admin.do("POST", "/api/v1/users", map[string]any{"login": "vera", "name": "Вера", "role": "agent",
		"password": "vera-password", "language": "en"})
	mustJSON(t, body, &u)
	if resp.StatusCode != http.StatusCreated || u.Language != "en" {
		t.Fatalf("create user: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"name": "Вера Н."})
	mustJSON(t, body, &u)
	if resp.StatusCode != 200 || u.Language != "en" {
		t.Fatalf("patch without language: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"language": "ru"})
	mustJSON(t, body, &u)
	if resp.StatusCode != 200 || u.Language != "ru" {
		t.Fatalf("patch language: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"language": "de"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)

	agent := e.login(crm.RoleAgent)
	var c struct {
		ID       int64  `json:"id"`
		Language string `json:"language"`
	}
	resp, body = agent.do("POST", "/api/v1/clients", map[string]any{"name": "John Smith", "language": "en"})
	mustJSON(t, body, &c)
	if resp.StatusCode != http.StatusCreated || c.Language != "en" {
		t.Fatalf("create client: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PUT", fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"name": "John Smith Jr"})
	mustJSON(t, body, &c)
	if resp.StatusCode != 200 || c.Language != "en" {
		t.Fatalf("put without language: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PUT", fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"name": "John Smith Jr", "language": ""})
	mustJSON(t, body, &c)
	if resp.StatusCode != 200 || c.Language != "" {
		t.Fatalf("put empty language: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PUT", fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"name": "John", "language": "xx"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
}

// TestRequestLanguage: a request speaks the signed-in user's language, else
// the browser's Accept-Language, else the centre's default, in the
// centre's zone.
func TestRequestLanguage(t *testing.T) {
	t.Parallel()
	vl, err := time.LoadLocation("Asia/Vladivostok")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load(i18n.Options{Default: i18n.English, Zone: vl})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *httpapi.Options) { o.I18n = cat })
	e.srv.Router().Get("/test/lang", func(w http.ResponseWriter, r *http.Request) {
		l := i18n.FromContext(r.Context())
		fmt.Fprintf(w, "%s %s", l.Lang(), l.Zone())
	})
	get := func(c *client, accept string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", e.ts.URL+"/test/lang", nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(e.anon(), ""); got != "en Asia/Vladivostok" {
		t.Errorf("no preference: %q, want the centre's default", got)
	}
	if got := get(e.anon(), "ru-RU,ru;q=0.9,en;q=0.5"); got != "ru Asia/Vladivostok" {
		t.Errorf("Russian browser: %q", got)
	}
	agent := e.login(crm.RoleAgent)
	if got := get(agent, "ru"); got != "ru Asia/Vladivostok" {
		t.Errorf("user without a choice, Russian browser: %q", got)
	}
	u := e.users[crm.RoleAgent]
	u.Language = "en"
	if err := e.store.Users.UpdateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	if got := get(agent, "ru"); got != "en Asia/Vladivostok" {
		t.Errorf("user who chose English, Russian browser: %q", got)
	}
}

// TestTodayCallsAreTheCentresDay: the console's "today" starts at midnight
// in the centre's zone, not the server's: at 00:10 in Moscow (21:10 UTC)
// a call at 23:30 the evening before (20:30 UTC) is yesterday's, one at
// 00:05 (21:05 UTC) today's.
func TestTodayCallsAreTheCentresDay(t *testing.T) {
	t.Parallel()
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: msk})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *httpapi.Options) { o.I18n = cat })
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 21, 10, 0, 0, time.UTC)
	hub := screenpop.NewLocalHub(0)
	t.Cleanup(func() { _ = hub.Close() })
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: e.store.Clients, Recent: e.store.ScreenPop, Directory: e.store.ScreenPop, Routes: e.store.ScreenPop})
	popper := screenpop.NewPopper(screenpop.Options{Cards: cards, Hub: hub, Agents: e.store.ScreenPop})
	httpapi.RegisterScreenPop(e.srv, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Cards: cards, Timeline: e.store.Clients, Calls: e.store.ScreenPop,
		Now: func() time.Time { return now }})
	agent := e.users[crm.RoleAgent].Login
	for id, at := range map[string]time.Time{
		"yesterday": time.Date(2026, 12, 6, 20, 30, 0, 0, time.UTC),
		"today":     time.Date(2026, 12, 6, 21, 5, 0, 0, time.UTC),
	} {
		if _, err := e.store.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, agent, agents,
			started_at, answered_at, ended_at, talk_seconds) VALUES ('pbx1', $1, 1, 'inbound', 'answered', '+79160000000', $2, $3,
			$4, $4, $4, 10)`, id, agent, []string{agent}, at); err != nil {
			t.Fatal(err)
		}
	}
	var out struct {
		Calls []struct {
			LinkedID string `json:"linkedid"`
		} `json:"calls"`
	}
	resp, body := e.login(crm.RoleAgent).do("GET", "/api/v1/console/calls", nil)
	mustJSON(t, body, &out)
	if resp.StatusCode != http.StatusOK || len(out.Calls) != 1 || out.Calls[0].LinkedID != "today" {
		t.Fatalf("today's calls at 00:10 Moscow time: %d %s; want only the call at 00:05", resp.StatusCode, body)
	}
}

// TestNamesInAnyScript: names and categories are Cyrillic as well as Latin,
// limits count characters (not bytes), and direction overrides are refused.
func TestNamesInAnyScript(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	f := newStockFixture(t, e)
	sup := e.login(crm.RoleSupervisor)
	resp, body := sup.do("POST", "/api/v1/transactions", map[string]any{"direction": "income", "amount": 150000,
		"category": "Оплата услуг", "client_id": f.clientID, "at": time.Now()})
	var tx struct {
		Category string `json:"category"`
	}
	mustJSON(t, body, &tx)
	if resp.StatusCode != http.StatusCreated || tx.Category != "оплата услуг" {
		t.Fatalf("a Cyrillic category: %d %s", resp.StatusCode, body)
	}
	long := strings.Repeat("Щ", 300) // 600 bytes, 300 characters: the limit
	if resp, body := sup.do("POST", "/api/v1/clients", map[string]any{"name": long}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("a 300-letter Cyrillic name: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("POST", "/api/v1/clients", map[string]any{"name": long + "Щ"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	for path, in := range map[string]map[string]any{
		"/api/v1/clients":      {"name": "Иван \u202eнавИ"},
		"/api/v1/transactions": {"direction": "income", "amount": 1, "category": "sale\u2066", "client_id": f.clientID},
	} {
		resp, body := sup.do("POST", path, in)
		mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	}
}
