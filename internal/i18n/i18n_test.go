package i18n

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func mustLoad(t *testing.T, o Options) *Catalogue {
	t.Helper()
	c, err := Load(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"ru": Russian, " EN ": English, "Ru": Russian} {
		got, err := ParseLang(in)
		if err != nil || got != want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "de", "russian", "ru-RU"} {
		if _, err := ParseLang(in); err == nil {
			t.Errorf("ParseLang(%q) accepted", in)
		}
	}
}

func TestRussianPlurals(t *testing.T) {
	l := mustLoad(t, Options{}).For(Russian)
	for n, want := range map[int]string{
		0: "0 звонков", 1: "1 звонок", 2: "2 звонка", 4: "4 звонка", 5: "5 звонков",
		11: "11 звонков", 12: "12 звонков", 21: "21 звонок", 22: "22 звонка", 25: "25 звонков", 101: "101 звонок", 111: "111 звонков",
	} {
		if got := l.N("common.calls", n, nil); got != want {
			t.Errorf("N(%d) = %q, want %q", n, got, want)
		}
	}
	en := mustLoad(t, Options{}).For(English)
	if got := en.N("common.calls", 1, nil); got != "1 call" {
		t.Errorf("en N(1) = %q", got)
	}
	if got := en.N("common.calls", 5, nil); got != "5 calls" {
		t.Errorf("en N(5) = %q", got)
	}
}

func TestMissingKeyReturnsKeyAndLogsOnce(t *testing.T) {
	var buf bytes.Buffer
	c := mustLoad(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	l := c.For(Russian)
	for range 3 {
		if got := l.T("web.no.such.key", nil); got != "web.no.such.key" {
			t.Fatalf("T(missing) = %q", got)
		}
	}
	if n := strings.Count(buf.String(), "level=WARN"); n != 1 {
		t.Errorf("missing key logged %d times, want 1:\n%s", n, buf.String())
	}
	if got := l.T("common.yes", nil); got != "Да" {
		t.Errorf("T(common.yes) = %q", got)
	}
}

func TestTemplateArgs(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/x.ru.toml": {Data: []byte(`"x.hello" = "Здравствуйте, {{.Name}}!"` + "\n")},
		"locales/x.en.toml": {Data: []byte(`"x.hello" = "Hello, {{.Name}}!"` + "\n")},
	}
	c, err := load(fsys, Options{Default: English})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.For(Russian).T("x.hello", map[string]any{"Name": "Анна"}); got != "Здравствуйте, Анна!" {
		t.Errorf("ru = %q", got)
	}
	if got := c.For("").T("x.hello", map[string]any{"Name": "Ann"}); got != "Hello, Ann!" {
		t.Errorf("default (en) = %q", got)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"unknown language": {"locales/x.de.toml": {Data: []byte(`"x.a" = "b"`)}},
		"no language":      {"locales/x.toml": {Data: []byte(`"x.a" = "b"`)}},
		"malformed":        {"locales/x.ru.toml": {Data: []byte(`"x.a" = `)}},
		"duplicate": {
			"locales/x.ru.toml": {Data: []byte(`"x.a" = "b"`)},
			"locales/y.ru.toml": {Data: []byte(`"x.a" = "c"`)},
		},
	} {
		if _, err := load(fsys, Options{}); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := Load(Options{Default: "de"}); err == nil {
		t.Error("default language de accepted")
	}
}

func TestMatch(t *testing.T) {
	ru := mustLoad(t, Options{Default: Russian})
	en := mustLoad(t, Options{Default: English})
	for _, tc := range []struct {
		c      *Catalogue
		header string
		want   Lang
	}{
		{ru, "", Russian},
		{en, "", English},
		{ru, "en-US,en;q=0.9", English},
		{en, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", Russian},
		{en, "de-DE,de;q=0.9", English},
		{ru, "de-DE,de;q=0.9", Russian},
		{ru, "uk-UA", Russian},
		{en, "fr;q=0.9,en;q=0.8", English},
		{en, "%%%garbage", English},
		{ru, "en-US,en;q=0.9;q=0.9", English}, // malformed, as some browsers send it
		{en, "ru-RU;q=0.9;q=0.8,en;q=0.5", Russian},
	} {
		if got := tc.c.Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) with default %s = %s, want %s", tc.header, tc.c.Default(), got, tc.want)
		}
	}
}

func TestContext(t *testing.T) {
	c := mustLoad(t, Options{Default: English, Zone: time.UTC})
	if got := FromContext(context.Background()); got == nil || got.Lang() != English || got.Zone() != time.UTC {
		t.Fatalf("fallback = %+v, want the last catalogue's default", got)
	}
	ctx := NewContext(context.Background(), c.For(Russian))
	if got := FromContext(ctx); got.Lang() != Russian {
		t.Errorf("FromContext = %s", got.Lang())
	}
	mustLoad(t, Options{}) // leave the product default for other tests
}
