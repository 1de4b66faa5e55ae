// Package i18n is Hotline's message catalogue: every text a person reads
// (pages, e-mails, spoken prompts) is looked up here by key, in Russian or
// English, with CLDR plural forms; times, numbers, money and phone numbers
// are formatted for the language and shown in the centre's time zone.
//
// Catalogue files are embedded from locales/<area>.<lang>.toml in the
// go-i18n v2 format. Keys carry their area as a prefix ("web.nav.clients").
// A plural message is a table with one/few/many/other (Russian) or
// one/other (English); {{.Count}} holds the count.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the centre's zone must load on hosts without a zone database

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a language Hotline speaks.
type Lang string

// The languages.
const (
	Russian Lang = "ru"
	English Lang = "en"
)

// Langs lists every language, the product default first.
var Langs = []Lang{Russian, English}

// DefaultZone is the centre's zone when none is configured.
const DefaultZone = "Europe/Moscow"

// ParseLang accepts "ru" or "en" (any case, surrounding space ignored).
func ParseLang(s string) (Lang, error) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case Russian, English:
		return l, nil
	}
	return "", fmt.Errorf("unknown language %q: want ru or en", s)
}

// Valid reports whether l is a known language.
func (l Lang) Valid() bool { return l == Russian || l == English }

//go:embed locales/*.toml
var locales embed.FS

// Options configures a Catalogue. The zero value speaks Russian in Moscow.
type Options struct {
	Default Lang           // the centre's language; "" means Russian
	Zone    *time.Location // the centre's zone; nil means Europe/Moscow
	Logger  *slog.Logger   // where missing keys are reported once; nil means slog.Default()
}

// Catalogue holds every message in every language and makes Localizers.
type Catalogue struct {
	bundle   *goi18n.Bundle
	def      Lang
	zone     *time.Location
	log      *slog.Logger
	matcher  language.Matcher
	matched  []Lang // the languages in the matcher's order
	messages map[Lang]map[string]*goi18n.Message
	missing  sync.Map // key+lang -> struct{}: missing keys already logged
	locs     map[Lang]*Localizer
}

// fallback is the Localizer FromContext returns when a context carries
// none: the default language and zone of the last Catalogue loaded.
var fallback atomic.Pointer[Localizer]

// Load reads the embedded catalogue files. It fails on a malformed file or
// a file named for an unknown language.
func Load(o Options) (*Catalogue, error) {
	return load(locales, o)
}

func load(fsys fs.FS, o Options) (*Catalogue, error) {
	if o.Default == "" {
		o.Default = Russian
	}
	if !o.Default.Valid() {
		return nil, fmt.Errorf("i18n: unknown default language %q", o.Default)
	}
	if o.Zone == nil {
		z, err := time.LoadLocation(DefaultZone)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		o.Zone = z
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &Catalogue{
		bundle:   goi18n.NewBundle(language.Make(string(o.Default))),
		def:      o.Default,
		zone:     o.Zone,
		log:      o.Logger,
		messages: map[Lang]map[string]*goi18n.Message{},
		locs:     map[Lang]*Localizer{},
	}
	files, err := readFiles(fsys)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := c.bundle.AddMessages(language.Make(string(f.lang)), f.messages...); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f.name, err)
		}
		m := c.messages[f.lang]
		if m == nil {
			m = map[string]*goi18n.Message{}
			c.messages[f.lang] = m
		}
		for _, msg := range f.messages {
			if _, dup := m[msg.ID]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is defined twice", f.name, msg.ID)
			}
			m[msg.ID] = msg
		}
	}
	c.matched = []Lang{o.Default}
	for _, l := range Langs {
		if l != o.Default {
			c.matched = append(c.matched, l)
		}
	}
	tags := make([]language.Tag, len(c.matched))
	for i, l := range c.matched {
		tags[i] = language.Make(string(l))
	}
	c.matcher = language.NewMatcher(tags)
	for _, l := range Langs {
		c.locs[l] = &Localizer{cat: c, lang: l, loc: goi18n.NewLocalizer(c.bundle, string(l))}
	}
	fallback.Store(c.locs[o.Default])
	return c, nil
}

// catalogueFile is one parsed <area>.<lang>.toml.
type catalogueFile struct {
	name     string
	area     string
	lang     Lang
	messages []*goi18n.Message
}

func readFiles(fsys fs.FS) ([]catalogueFile, error) {
	names, err := fs.Glob(fsys, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []catalogueFile
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".toml")
		area, lang, ok := strings.Cut(base, ".")
		l, err := ParseLang(lang)
		if !ok || err != nil || area == "" {
			return nil, fmt.Errorf("i18n: %s: want a name <area>.<ru|en>.toml", name)
		}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		msgs, err := goi18n.ParseMessageBytes(buf, toml.Unmarshal)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		out = append(out, catalogueFile{name: name, area: area, lang: l, messages: msgs})
	}
	return out, nil
}

// Default is the centre's language.
func (c *Catalogue) Default() Lang { return c.def }

// Zone is the centre's time zone.
func (c *Catalogue) Zone() *time.Location { return c.zone }

// For returns the Localizer of lang; an unknown or empty lang gets the
// centre's default language.
func (c *Catalogue) For(lang Lang) *Localizer {
	if l, ok := c.locs[lang]; ok {
		return l
	}
	return c.locs[c.def]
}

// Match picks the language of an Accept-Language header; without a usable
// preference it is the centre's default.
func (c *Catalogue) Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil { // a malformed header: its languages in the order given
		tags = nil
		for _, part := range strings.Split(acceptLanguage, ",") {
			name, _, _ := strings.Cut(part, ";")
			if tag, err := language.Parse(strings.TrimSpace(name)); err == nil {
				tags = append(tags, tag)
			}
		}
	}
	if len(tags) == 0 {
		return c.def
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(c.matched) {
		return c.def
	}
	return c.matched[i]
}

// Keys lists every key of lang, sorted.
func (c *Catalogue) Keys(lang Lang) []string {
	keys := make([]string, 0, len(c.messages[lang]))
	for k := range c.messages[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Texts returns every text of lang (each plural form separately), so tests
// can tell translated text from untranslated text on a page.
func (c *Catalogue) Texts(lang Lang) []string {
	var out []string
	for _, m := range c.messages[lang] {
		for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Localizer speaks one language in the centre's zone.
type Localizer struct {
	cat  *Catalogue
	lang Lang
	loc  *goi18n.Localizer
}

// Lang is the Localizer's language.
func (l *Localizer) Lang() Lang { return l.lang }

// Zone is the centre's time zone.
func (l *Localizer) Zone() *time.Location { return l.cat.zone }

// T returns the message key filled with args. A missing key returns the key
// itself (and is logged once).
func (l *Localizer) T(key string, args map[string]any) string {
	return l.localize(key, nil, args)
}

// N returns the plural message key for count (CLDR one/few/many/other),
// filled with args; {{.Count}} is count.
func (l *Localizer) N(key string, count int, args map[string]any) string {
	data := make(map[string]any, len(args)+1)
	for k, v := range args {
		data[k] = v
	}
	data["Count"] = count
	return l.localize(key, count, data)
}

func (l *Localizer) localize(key string, count any, data map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: key, PluralCount: count}
	if data != nil {
		cfg.TemplateData = data
	}
	s, err := l.loc.Localize(cfg)
	if err == nil {
		return s
	}
	if _, seen := l.cat.missing.LoadOrStore(string(l.lang)+"\x00"+key, struct{}{}); !seen {
		l.cat.log.Warn("i18n: message missing or broken", "key", key, "lang", l.lang, "err", err)
	}
	if s != "" {
		return s
	}
	return key
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the Localizer ctx carries; without one, the default
// language and zone of the last Catalogue loaded (Russian in Moscow if none
// was). It is never nil.
func FromContext(ctx context.Context) *Localizer {
	if l, ok := ctx.Value(ctxKey{}).(*Localizer); ok && l != nil {
		return l
	}
	if l := fallback.Load(); l != nil {
		return l
	}
	c, err := Load(Options{})
	if err != nil {
		panic(err) // the embedded catalogue is checked by its tests
	}
	return c.For(c.def)
}

// Forms returns the raw texts of key in the Localizer's language, by CLDR
// plural form ("other" alone for a message without plurals), with their
// {{.Name}} placeholders unfilled: for scripts that format in the browser.
// A missing key gives {"other": key}.
func (l *Localizer) Forms(key string) map[string]string {
	m := l.cat.messages[l.lang][key]
	if m == nil {
		return map[string]string{"other": key}
	}
	out := map[string]string{}
	for form, s := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if s != "" {
			out[form] = s
		}
	}
	return out
}

// Has reports whether key is in the catalogue in the Localizer's language.
func (l *Localizer) Has(key string) bool {
	_, ok := l.cat.messages[l.lang][key]
	return ok
}
