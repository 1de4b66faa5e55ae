package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/telephony"
)

// callSite is a site in Russian in Moscow time with the call log, the
// service desk and knowledge base, three agents' calls and a client.
type callSite struct {
	*site
	client int64
	ids    map[string]int64 // by linkedid
}

func newCallSite(t *testing.T) *callSite {
	t.Helper()
	st := pgtest.NewStore(t)
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: moscow})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountConsole()
	pages.MountCalls(web.CallPageDeps{Calls: st.Calls})
	desk := ticketPageDeps(st, false)
	desk.Costs, desk.Catalogue = st.Tickets, st.Stock
	pages.MountTickets(desk)
	pages.MountKB(web.KBPageDeps{KB: st.KB, Tickets: st.Tickets})
	httpapi.RegisterStock(api, httpapi.StockDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock, Access: st.DB, Purchases: st.Stock}) // the product picker's search
	pages.MountAdmin(web.AdminPageDeps{Users: st.Users, Sessions: st.Sessions, Teams: st.Teams, SLAPlans: st.SLA})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	for _, u := range []crm.User{
		{Login: "sup", Name: "Светлана Супервайзер", Role: crm.RoleSupervisor, Language: "ru"},
		{Login: "sup-en", Name: "Sam Supervisor", Role: crm.RoleSupervisor, Language: "en"},
		{Login: "agent", Name: "Алексей Оператор", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}, Language: "ru"},
		{Login: "agent2", Name: "Борис Оператор", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1002"}},
		{Login: "admin", Name: "Анна Админ", Role: crm.RoleAdmin, Language: "ru"},
	} {
		if _, err := auth.CreateUser(ctx, st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Мария Сидорова", Priority: "B",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+79123456789", Raw: "8 912 345-67-89"}}}
	if err := st.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	// c1 starts at 00:30 on 6 December in Moscow (21:30 UTC on the 5th).
	c1 := telephony.Call{LinkedID: "1733434200.1", Node: "pbx1", Direction: telephony.Inbound, Outcome: telephony.OutcomeAnswered,
		Caller: "+79123456789", Callee: "100", Customer: "+79123456789", Agent: "agent", Agents: []string{"agent"},
		StartedAt: *at("2026-12-05T21:30:00Z"), AnsweredAt: at("2026-12-05T21:30:12Z"), EndedAt: at("2026-12-05T21:33:17Z"),
		WaitSeconds: 12, RingSeconds: 8, TalkSeconds: 185, HangupCause: 16, HangupCauseText: "Normal Clearing", HangupBy: telephony.PartyCaller,
		Transfers: []telephony.Transfer{{Kind: "blind", At: *at("2026-12-05T21:32:00Z"), From: "agent", To: "200"}},
		Legs: []telephony.Leg{
			{ChannelID: "1733434200.1", Endpoint: "PJSIP/trunk", Number: "+79123456789", CreatedAt: *at("2026-12-05T21:30:00Z"), Talked: true},
			{ChannelID: "1733434200.2", Endpoint: "PJSIP/1001", Agent: "agent", CreatedAt: *at("2026-12-05T21:30:04Z"),
				AnsweredAt: at("2026-12-05T21:30:12Z"), Talked: true, DialStatus: "ANSWER"},
		}}
	c2 := telephony.Call{LinkedID: "1733479200.7", Node: "pbx1", Direction: telephony.Inbound, Outcome: telephony.OutcomeAbandoned,
		Caller: "+74951112233", Callee: "100", Customer: "+74951112233", Agents: []string{"agent2"},
		StartedAt: *at("2026-12-06T10:00:00Z"), EndedAt: at("2026-12-06T10:00:40Z"), WaitSeconds: 40, HangupBy: telephony.PartyCaller}
	c3 := telephony.Call{LinkedID: "1733558400.9", Node: "pbx1", Direction: telephony.Outbound, Outcome: telephony.OutcomeAnswered,
		Caller: "1002", Callee: "+79123456789", Customer: "+79123456789", Agent: "agent2", Agents: []string{"agent2"},
		StartedAt: *at("2026-12-07T08:00:00Z"), AnsweredAt: at("2026-12-07T08:00:09Z"), EndedAt: at("2026-12-07T08:01:09Z"), TalkSeconds: 60}
	tl := []telephony.TimelineEntry{
		{Seq: 1, At: c1.StartedAt, Kind: "started", Channel: "1733434200.1"},
		{Seq: 2, At: *c1.AnsweredAt, Kind: "answered", Channel: "1733434200.2"},
		{Seq: 3, At: *c1.EndedAt, Kind: "ended"},
	}
	err = st.Calls.SaveCalls(ctx, pgtest.CallRecords(t, []telephony.CallUpdate{{Version: 1, Call: c1, Timeline: tl}, {Version: 1, Call: c2}, {Version: 1, Call: c3}}...))
	if err != nil {
		t.Fatal(err)
	}
	cs := &callSite{site: &site{t: t, store: st, ts: ts}, client: cl.ID, ids: map[string]int64{}}
	for _, c := range []telephony.Call{c1, c2, c3} {
		page, err := st.Calls.ListCalls(ctx, telephony.CallFilter{LinkedID: c.LinkedID})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("call %s: %v %v", c.LinkedID, page.Items, err)
		}
		cs.ids[c.LinkedID] = page.Items[0].ID
	}
	return cs
}

// shown lists which of the site's calls a call-log page lists.
func (s *callSite) shown(body string) []string {
	var out []string
	for _, l := range []string{"1733434200.1", "1733479200.7", "1733558400.9"} {
		if strings.Contains(body, `id="call-`+strconv.FormatInt(s.ids[l], 10)+`"`) {
			out = append(out, l)
		}
	}
	return out
}

func TestCallLogFilters(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	sup := s.browser()
	sup.login("sup")
	const c1, c2, c3 = "1733434200.1", "1733479200.7", "1733558400.9"
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"everything, newest first", "", []string{c1, c2, c3}},
		{"a local day holds the call after local midnight", "from=2026-12-06&to=2026-12-06", []string{c1, c2}},
		{"the UTC day before is not that local day", "from=2026-12-05&to=2026-12-05", nil},
		{"open end", "from=2026-12-07", []string{c3}},
		{"missed", "outcome=missed", []string{c2}},
		{"answered", "outcome=answered", []string{c1, c3}},
		{"one reason", "outcome=abandoned", []string{c2}},
		{"direction", "direction=outbound", []string{c3}},
		{"agent", "agent=agent2", []string{c2, c3}},
		{"number in any format", "q=8+(912)+345-67-89", []string{c1, c3}},
		{"client by name", "q=Сидорова", []string{c1, c3}},
		{"client from the card", "client=" + strconv.FormatInt(s.client, 10), []string{c1, c3}},
		{"nobody by that name", "q=Никтоевич", nil},
		{"unknown values are ignored", "direction=sideways&outcome=maybe", []string{c1, c2, c3}},
	} {
		resp, body := sup.get("/calls?" + tc.query)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tc.name, resp.StatusCode)
			continue
		}
		if got := s.shown(body); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s: shown %v, want %v", tc.name, got, tc.want)
		}
	}
	_, body := sup.get("/calls?q=Сидорова")
	if !strings.Contains(body, "Мария Сидорова") || !strings.Contains(body, `id="client-found"`) {
		t.Error("the client found by name is not named")
	}
	_, body = sup.get("/calls?from=2026-12-06&to=2026-12-06")
	if !strings.Contains(body, "06.12.2026 00:30") {
		t.Error("times are not in the centre's zone, in Russian format")
	}
	if !strings.Contains(body, `href="/calls.csv?from=2026-12-06&amp;to=2026-12-06"`) {
		t.Error("the CSV link does not carry the filter")
	}
	resp, body := sup.get("/calls?from=2026-12-07&to=2026-12-06")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Дата «по» раньше даты «с».") {
		t.Errorf("a reversed period: %d", resp.StatusCode)
	}
	resp, body = sup.get("/calls?from=06.12.2026")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Дата «с» не распознана") {
		t.Errorf("a bad date: %d", resp.StatusCode)
	}
}

// TestCallLogAgentOwnCallsOnly: an agent cannot reach another agent's
// call through the list, the call page, the linkedid link or the CSV.
func TestCallLogAgentOwnCallsOnly(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	ag := s.browser()
	ag.login("agent")
	_, body := ag.get("/calls")
	if got := s.shown(body); len(got) != 1 || got[0] != "1733434200.1" {
		t.Errorf("agent's list shows %v", got)
	}
	if strings.Contains(body, `id="f-agent"`) {
		t.Error("an agent is offered the agent filter")
	}
	_, body = ag.get("/calls?client=" + strconv.FormatInt(s.client, 10))
	if got := s.shown(body); len(got) != 1 || got[0] != "1733434200.1" {
		t.Errorf("agent's list of the client's calls shows %v", got)
	}
	for _, path := range []string{
		"/calls/" + strconv.FormatInt(s.ids["1733479200.7"], 10),
		"/calls/" + strconv.FormatInt(s.ids["1733558400.9"], 10),
		"/calls/linked/1733558400.9",
	} {
		if resp, _ := ag.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("agent GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := ag.get("/calls?agent=agent2"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent asks for another agent's list: %d", resp.StatusCode)
	}
	if resp, _ := ag.get("/calls.csv?agent=agent2"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent asks for another agent's CSV: %d", resp.StatusCode)
	}
	resp, body := ag.get("/calls.csv")
	rows := readCSV(t, resp, body)
	if len(rows) != 2 || rows[1][len(rows[1])-1] != strconv.FormatInt(s.ids["1733434200.1"], 10) {
		t.Errorf("agent's CSV: %v", rows)
	}
	resp, body = ag.get("/calls.csv?client=" + strconv.FormatInt(s.client, 10))
	if rows := readCSV(t, resp, body); len(rows) != 2 {
		t.Errorf("agent's CSV of the client: %v", rows)
	}
	if resp, _ := ag.get("/calls/" + strconv.FormatInt(s.ids["1733434200.1"], 10)); resp.StatusCode != http.StatusOK {
		t.Errorf("agent's own call: %d", resp.StatusCode)
	}
}

func readCSV(t *testing.T, resp *http.Response, body string) [][]string {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCallLogCSVInReadersLanguage(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	sup := s.browser()
	sup.login("sup")
	resp, body := sup.get("/calls.csv?from=2026-12-06&to=2026-12-06")
	rows := readCSV(t, resp, body)
	if len(rows) != 3 {
		t.Fatalf("CSV rows: %v", rows)
	}
	if rows[0][0] != "Начало" || rows[0][1] != "Направление" {
		t.Errorf("Russian headers: %v", rows[0])
	}
	last := rows[2] // oldest last: c1
	if last[0] != "2026-12-06 00:30:00" || last[1] != "входящий" || last[2] != "отвечен" || last[5] != "Мария Сидорова" ||
		last[6] != "Алексей Оператор" || last[12] != "185" || last[14] != "звонивший" || last[15] != "Алексей Оператор → 200" {
		t.Errorf("c1 row: %q", last)
	}
	en := s.browser()
	en.login("sup-en")
	resp, body = en.get("/calls.csv?outcome=missed")
	rows = readCSV(t, resp, body)
	if rows[0][0] != "Started" || len(rows) != 2 || rows[1][2] != "abandoned" {
		t.Errorf("English CSV: %v", rows)
	}
}

func TestCallPageAndLinks(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	sup := s.browser()
	sup.login("sup")
	id := strconv.FormatInt(s.ids["1733434200.1"], 10)
	resp, _ := sup.get("/calls/linked/1733434200.1")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/calls/"+id {
		t.Fatalf("linkedid link: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := sup.get("/calls/" + id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("call page: %d", resp.StatusCode)
	}
	for _, want := range []string{"PJSIP/1001", "Алексей Оператор", "Входящий звонок", "разговаривал", "слепой", "звонок начат", "00:30:12.000", "звонок окончен",
		`href="/clients/` + strconv.FormatInt(s.client, 10) + `"`, "3:05", "звонивший"} {
		if !strings.Contains(body, want) {
			t.Errorf("call page lacks %q", want)
		}
	}
	if resp, _ := sup.get("/calls/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no such call: %d", resp.StatusCode)
	}
	_, body = sup.get("/clients/" + strconv.FormatInt(s.client, 10))
	if !strings.Contains(body, `href="/calls?client=`+strconv.FormatInt(s.client, 10)+`"`) {
		t.Error("the client card does not link to the client's calls")
	}
	if !strings.Contains(body, `href="/calls/`+id+`"`) {
		t.Error("the call on the client's timeline is not a link")
	}
	_, body = sup.get("/console")
	if !strings.Contains(body, `id="console-call-log"`) || !strings.Contains(body, `data-call-log="1"`) {
		t.Error("the console does not link to the call log")
	}
	_, body = sup.get("/clients")
	if !strings.Contains(body, `<a href="/calls"`) {
		t.Error("no nav entry for the call log")
	}
}

// TestRequestLinksItsCalls: a request's "Calls" field opens the call, not a
// raw Asterisk id.
func TestRequestLinksItsCalls(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	tk := service.Ticket{ClientID: s.client, Subject: "Не работает роутер", Calls: []string{"1733434200.1"}}
	if err := s.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	sup := s.browser()
	sup.login("sup")
	resp, body := sup.get("/tickets/" + strconv.FormatInt(tk.ID, 10))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("request page: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `href="/calls/linked/1733434200.1"`) || strings.Contains(body, `<span class="mono tag">1733434200.1</span>`) {
		t.Error("the request's call is not a link to the call")
	}
	resp, _ = sup.get("/calls/linked/1733434200.1")
	if resp.Header.Get("Location") != "/calls/"+strconv.FormatInt(s.ids["1733434200.1"], 10) {
		t.Errorf("the link leads to %q", resp.Header.Get("Location"))
	}
}
