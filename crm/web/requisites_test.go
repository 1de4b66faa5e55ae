package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestClientFormRequisites: the client form takes a company's legal
// details; a wrong INN check digit is said in the reader's language,
// shown back and saves nothing; the card shows what was saved.
func TestClientFormRequisites(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	csrf := b.login("admin")
	form := url.Values{"csrf_token": {csrf}, "name": {"ООО «Ромашка»"}, "kind": {"company"},
		"inn": {"7707083894"}, "kpp": {"773601001"}, "ogrn": {"1027700132195"}, "bik": {"044525225"},
		"account": {"40702810438000060473"}, "corr_account": {"30101810400000000225"},
		"legal_address": {"117312, г. Москва, ул. Вавилова, д. 19"}, "bank_name": {"ПАО Сбербанк"}}
	resp, body := b.post("/clients", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "INN (tax number): is not a valid INN") ||
		!strings.Contains(body, `value="7707083894"`) {
		t.Fatalf("wrong INN: %d %s", resp.StatusCode, body)
	}
	if _, list := b.get("/clients?q=" + url.QueryEscape("Ромашка")); strings.Contains(list, "client-link") {
		t.Fatal("a refused form created the client")
	}
	form.Set("inn", "7707083893")
	resp, body = b.post("/clients", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	_, card := b.get(resp.Header.Get("Location"))
	for _, want := range []string{`id="client-inn">7707083893<`, "773601001", "40702810438000060473", "ПАО Сбербанк", "ул. Вавилова"} {
		if !strings.Contains(card, want) {
			t.Fatalf("card lacks %q: %s", want, card)
		}
	}
}
