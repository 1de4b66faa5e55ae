package i18n

import (
	"regexp"
	"sort"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestCatalogueComplete checks every embedded file: each area has both
// languages, each key exists in both, plural messages have Russian
// one/few/many/other and English one/other, and both languages use the
// same template fields.
func TestCatalogueComplete(t *testing.T) {
	files, err := readFiles(locales)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		area string
		msg  *goi18n.Message
	}
	byLang := map[Lang]map[string]entry{}
	areas := map[string]map[Lang]bool{}
	for _, f := range files {
		if areas[f.area] == nil {
			areas[f.area] = map[Lang]bool{}
		}
		areas[f.area][f.lang] = true
		if byLang[f.lang] == nil {
			byLang[f.lang] = map[string]entry{}
		}
		for _, m := range f.messages {
			if _, dup := byLang[f.lang][m.ID]; dup {
				t.Errorf("%s: key %q defined twice", f.name, m.ID)
			}
			if prefix := f.area + "."; len(m.ID) <= len(prefix) || m.ID[:len(prefix)] != prefix {
				t.Errorf("%s: key %q must start with %q", f.name, m.ID, prefix)
			}
			byLang[f.lang][m.ID] = entry{f.area, m}
		}
	}
	if len(areas) == 0 {
		t.Fatal("no catalogue files embedded")
	}
	for area, langs := range areas {
		for _, l := range Langs {
			if !langs[l] {
				t.Errorf("area %q has no %s file", area, l)
			}
		}
	}
	for _, l := range Langs {
		for _, other := range Langs {
			for id := range byLang[l] {
				if _, ok := byLang[other][id]; !ok {
					t.Errorf("key %q is in %s but not in %s", id, l, other)
				}
			}
		}
	}
	for id, e := range byLang[Russian] {
		ru := e.msg
		en, ok := byLang[English][id]
		if !ok {
			continue
		}
		plural := ru.One != "" || ru.Few != "" || ru.Many != ""
		enPlural := en.msg.One != ""
		if plural != enPlural {
			t.Errorf("key %q is plural in one language only", id)
			continue
		}
		if plural {
			if ru.One == "" || ru.Few == "" || ru.Many == "" || ru.Other == "" {
				t.Errorf("ru %q: a plural message needs one, few, many and other", id)
			}
			if en.msg.One == "" || en.msg.Other == "" {
				t.Errorf("en %q: a plural message needs one and other", id)
			}
		} else if ru.Other == "" || en.msg.Other == "" {
			t.Errorf("key %q has an empty text", id)
		}
		if a, b := fields(ru), fields(en.msg); !equal(a, b) {
			t.Errorf("key %q: ru uses fields %v, en uses %v", id, a, b)
		}
	}
}

var fieldRe = regexp.MustCompile(`\{\{\s*\.(\w+)`)

func fields(m *goi18n.Message) []string {
	set := map[string]bool{}
	for _, s := range []string{m.One, m.Few, m.Many, m.Other} {
		for _, f := range fieldRe.FindAllStringSubmatch(s, -1) {
			set[f[1]] = true
		}
	}
	var out []string
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
