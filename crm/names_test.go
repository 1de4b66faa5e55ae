package crm_test

import (
	"strings"
	"testing"

	"hotline/crm"
)

// TestNamesInAnyScript: names are any script, limits count characters,
// and text that cannot be stored or reads backwards is refused.
func TestNamesInAnyScript(t *testing.T) {
	for name, tc := range map[string]struct {
		client crm.Client
		field  string // "" = valid
	}{
		"cyrillic":               {client: crm.Client{Name: "Иван Петров", Company: "ООО «Ромашка»", Tags: []string{"опт", "москва"}}},
		"300 cyrillic letters":   {client: crm.Client{Name: strings.Repeat("Ж", 300)}},
		"301 cyrillic letters":   {client: crm.Client{Name: strings.Repeat("Ж", 301)}, field: "name"},
		"50-letter cyrillic tag": {client: crm.Client{Name: "x", Tags: []string{strings.Repeat("т", 50)}}},
		"invalid utf-8":          {client: crm.Client{Name: "Ива\xffн"}, field: "name"},
		"right-to-left override": {client: crm.Client{Name: "Иван \u202eвортеП"}, field: "name"},
		"isolate in a tag":       {client: crm.Client{Name: "x", Tags: []string{"a\u2067b"}}, field: "tags"},
		"unknown language":       {client: crm.Client{Name: "x", Language: "de"}, field: "language"},
	} {
		err := tc.client.Validate()
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.field != "" && (!crm.IsKind(err, crm.KindInvalid) || !strings.HasPrefix(err.Error(), tc.field+":")):
			t.Errorf("%s: %v, want invalid %s", name, err, tc.field)
		}
	}
	u := crm.User{Login: "anna", Name: strings.Repeat("Я", 200), Role: crm.RoleAgent}
	if err := u.Validate(); err != nil {
		t.Errorf("a 200-letter Cyrillic user name: %v", err)
	}
	if crm.HasBidiControl("Обычный текст, English, עברית") {
		t.Error("ordinary right-to-left text counted as an override")
	}
}
