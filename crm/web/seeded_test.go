package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
)

// TestSeededNamesInTheReadersLanguage: the seeded funnel stages and
// priority classes read in Russian for a Russian user and in English for
// an English one; a class an admin renamed shows as typed.
func TestSeededNamesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s, _ := newFunnelSite(t)
	ctx := context.Background()
	users, err := s.store.Users.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Login == "admin" {
			u.Language = "ru"
			if err := s.store.Users.UpdateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := crm.Client{Name: "Клиент A", Priority: "A"}
	if err := s.store.Clients.CreateClient(ctx, &a); err != nil {
		t.Fatal(err)
	}
	ru, en := s.browser(), s.browser()
	ru.login("admin")
	en.login("agent")
	_, body := ru.get("/funnel")
	if !strings.Contains(body, "Первый контакт") || !strings.Contains(body, "Старт проекта") || strings.Contains(body, "First contact") {
		i := strings.Index(body, "First contact")
		t.Errorf("Russian funnel page lacks the Russian stage names: %.300s", body[max(i-150, 0):])
	}
	_, body = en.get("/funnel")
	if !strings.Contains(body, "First contact") || strings.Contains(body, "Первый контакт") {
		t.Errorf("English funnel page lacks the English stage names")
	}
	card := "/clients/" + strconv.FormatInt(a.ID, 10)
	if _, body = ru.get(card); !strings.Contains(body, `<span class="prio-name">Класс A</span>`) {
		t.Errorf("Russian card lacks «Класс A»")
	}
	if _, body = en.get(card); !strings.Contains(body, `<span class="prio-name">Class A</span>`) {
		t.Errorf("English card lacks Class A")
	}
	// An admin's own name is data: shown as typed in every language.
	if _, err := s.store.DB.Pool().Exec(ctx, `UPDATE priority_classes SET name = 'Золото' WHERE code = 'A'`); err != nil {
		t.Fatal(err)
	}
	if _, body = en.get(card); !strings.Contains(body, `<span class="prio-name">Золото</span>`) {
		t.Errorf("renamed class not shown as typed")
	}
}
