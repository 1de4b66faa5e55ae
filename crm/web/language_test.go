package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/internal/i18n"
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
	api := httpapi.New(httpapi.Options{Store: st, PhoneRegion: "RU", I18n: cat})
	if _, err := web.Mount(api, web.Options{Store: st}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	s := &site{t: t, store: st, ts: ts}
	if _, body := s.browser().get("/login"); !strings.Contains(body, "Войдите в рабочее место контакт-центра.") {
		t.Fatalf("login page without a preference is not in the centre's language:\n%s", body)
	}
}
