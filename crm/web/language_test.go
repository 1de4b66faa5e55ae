package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/telephony"
)

// getWith fetches path with an Accept-Language header.
func (b *browser) getWith(path, acceptLanguage string) (*http.Response, string) {
	b.s.t.Helper()
	req, _ := http.NewRequest("GET", b.s.ts.URL+path, nil)
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := b.hc.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestPageLanguage: pages speak the browser's language until the user
// picks one on the profile page; the choice wins over the browser's and
// goes back to it when cleared; an unknown language is refused.
func TestPageLanguage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	anon := s.browser()
	if _, body := anon.getWith("/login", "ru-RU,ru;q=0.9"); !strings.Contains(body, `<html lang="ru">`) || !strings.Contains(body, "Войти") {
		t.Fatalf("login page for a Russian browser is not Russian:\n%s", body)
	}
	if _, body := anon.getWith("/login", "en-US"); !strings.Contains(body, "Sign in") {
		t.Fatal("login page for an English browser is not English")
	}
	b := s.browser()
	csrf := b.login("agent")
	if _, body := b.getWith("/clients", "ru"); !strings.Contains(body, "Новый клиент") || !strings.Contains(body, "Выйти") {
		t.Fatal("client search for a Russian browser is not Russian")
	}
	resp, body := b.post("/profile", url.Values{"csrf_token": {csrf}, "language": {"ru"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save profile: %d %s", resp.StatusCode, body)
	}
	if _, body := b.getWith("/profile?done=1", "en-US,en"); !strings.Contains(body, "Сохранено.") || !strings.Contains(body, `<option value="ru" selected>`) {
		t.Fatalf("profile after choosing Russian, English browser:\n%s", body)
	}
	if _, body := b.getWith("/clients", "en"); !strings.Contains(body, "Клиентов пока нет.") {
		t.Fatal("the user's language does not win over the browser's")
	}
	resp, body = b.post("/profile", url.Values{"csrf_token": {csrf}, "language": {"de"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Язык:") {
		t.Fatalf("unknown language: %d\n%s", resp.StatusCode, body)
	}
	b.post("/profile", url.Values{"csrf_token": {csrf}, "language": {""}})
	if _, body := b.getWith("/clients", "en"); !strings.Contains(body, "No clients yet.") {
		t.Fatal("a cleared choice does not follow the browser again")
	}
	if resp, _ := s.browser().post("/profile", url.Values{"language": {"ru"}}); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous profile post: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestCentreDefaultLanguage: without a choice or a browser preference pages
// are in HOTLINE_LANGUAGE.
func TestCentreDefaultLanguage(t *testing.T) {
	t.Parallel()
	msk, _ := time.LoadLocation("Europe/Moscow")
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: msk})
	if err != nil {
		t.Fatal(err)
	}
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	if _, err := mountPages(api, st); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	s := &site{t: t, store: st, ts: ts}
	if _, body := s.browser().get("/login"); !strings.Contains(body, "Войдите в рабочее место контакт-центра.") {
		t.Fatalf("login page without a preference is not in the centre's language:\n%s", body)
	}
}

// TestAgentReportDaysAreTheCentres: a call at 23:30 UTC is on the next day
// in Moscow, and the agent report (whose days default to the centre's
// zone) counts it there; the page shows the period in Moscow time.
func TestAgentReportDaysAreTheCentres(t *testing.T) {
	t.Parallel()
	msk, _ := time.LoadLocation("Europe/Moscow")
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: msk})
	if err != nil {
		t.Fatal(err)
	}
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountSupervisor(web.SupervisorPageDeps{Reports: st.Reports})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	s := &site{t: t, store: st, ts: ts}
	for _, u := range []crm.User{{Login: "sup", Name: "Софья", Role: crm.RoleSupervisor}, {Login: "alice", Name: "Алиса", Role: crm.RoleAgent}} {
		if _, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) // 27.11.2026 02:30 in Moscow
	end, ans := start.Add(2*time.Minute), start.Add(5*time.Second)
	if err := st.Calls.SaveCalls(context.Background(), pgtest.CallRecords(t, []telephony.CallUpdate{{Version: 1, Call: telephony.Call{
		LinkedID: "late", Node: "pbx1", Direction: telephony.Inbound, Outcome: telephony.OutcomeAnswered,
		Agent: "alice", Agents: []string{"alice"}, StartedAt: start, AnsweredAt: &ans, EndedAt: &end, TalkSeconds: 115}}}...)); err != nil {
		t.Fatal(err)
	}
	sup := s.browser()
	sup.login("sup")
	if _, body := sup.get("/reports/agents?from=2026-11-27"); !strings.Contains(body, `data-agent="alice"`) ||
		!strings.Contains(body, "Период: 27.11.2026 00:00 – 28.11.2026 00:00.") {
		t.Errorf("the Moscow day of the call does not count it:\n%s", body)
	}
	if _, body := sup.get("/reports/agents?from=2026-11-26"); strings.Contains(body, `data-agent="alice"`) {
		t.Error("the UTC day of the call counts it")
	}
}

// TestMoneyTypedInRoubles: the transaction form takes roubles with a comma
// or a dot and spaces between thousands, and stores kopecks; the Russian
// page shows them back as 1 234,56 ₽.
func TestMoneyTypedInRoubles(t *testing.T) {
	t.Parallel()
	m := newMoneySite(t)
	admin := m.browser()
	csrf := admin.login("admin")
	for typed, want := range map[string]int64{"1 234,56": 123456, "1234.5": 123450, "620 000": 62000000} {
		resp, body := admin.post("/reports/money/transactions", url.Values{"csrf_token": {csrf}, "direction": {"income"},
			"amount": {typed}, "currency": {"RUB"}, "category": {"Оплата услуг"}, "client_id": {fmt.Sprint(m.acme)}, "note": {typed}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%q: %d %s", typed, resp.StatusCode, body)
		}
		var got int64
		if err := m.store.DB.Pool().QueryRow(context.Background(), `SELECT amount FROM money_transactions WHERE note = $1`, typed).Scan(&got); err != nil || got != want {
			t.Errorf("%q stored as %d (%v), want %d kopecks", typed, got, err, want)
		}
	}
	_, body := admin.getWith("/reports/money", "ru")
	if !strings.Contains(body, "Прибыльность по клиентам") || !strings.Contains(body, "₽") {
		t.Errorf("the Russian money page does not show roubles:\n%s", body)
	}
}
