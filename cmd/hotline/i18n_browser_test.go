package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// TestBrowserEveryPageSpeaksTheBrowsersLanguage signs in with a Russian
// browser as each role, opens every page the nav bar links, and finds no
// English UI text (Latin words other than brand names, codes and the data
// shown) and no catalogue keys; then the same with an English browser and
// no Russian UI text. HOTLINE_SCREENSHOTS=dir keeps a screenshot of each
// page there.
func TestBrowserEveryPageSpeaksTheBrowsersLanguage(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skipf("no Chromium: %v", err)
	}
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	const password = "browser-password-1"
	users := map[crm.Role]crm.User{
		crm.RoleAgent:      {Login: "olga", Name: "Ольга Смирнова", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}},
		crm.RoleSupervisor: {Login: "sveta", Name: "Светлана Орлова", Role: crm.RoleSupervisor},
		crm.RoleAdmin:      {Login: "ivan", Name: "Иван Петров", Role: crm.RoleAdmin},
	}
	for _, u := range users {
		if _, err := auth.CreateUser(ctx, st.Users, u, password); err != nil {
			t.Fatal(err)
		}
	}
	client := crm.Client{Name: "ООО «Ромашка»", Kind: crm.ClientCompany, Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := st.Clients.CreateClient(ctx, &client); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()

	// Words a page may show in either language: the brand, protocol and
	// format names, codes, language names, and data: this test's and what
	// the migrations seed (priority classes, funnel stages, the survey),
	// which the centre renames in its own language.
	allowed := map[string]bool{}
	for _, w := range strings.Fields(`Hotline CSV CSAT NPS SLA SKU FIFO FEFO MS Project XML MSPDI JSON PJSIP IANA UTC TECH
		Europe Moscow Asia Chita Standard Asterisk Stasis hotline survey sound recording digits min max id ceil
		olga sveta ivan RUB pcs closed PBX VIP Ltd SIP English
		Class New and class customers default occasional the First contact Needs analysis Commercial offer Presentation
		After call satisfaction Project start Sales MP WAV agent`) { // agent: a survey question's key
		allowed[strings.ToLower(w)] = true
	}
	for _, name := range []string{users[crm.RoleAgent].Name, users[crm.RoleSupervisor].Name, users[crm.RoleAdmin].Name} {
		var initials []rune
		for _, w := range strings.Fields(name) {
			allowed[strings.ToLower(w)] = true
			initials = append(initials, []rune(w)[0])
		}
		allowed[strings.ToLower(string(initials))] = true // the avatar
	}
	allowed["ор"] = true // the client's avatar: ООО «Ромашка»
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	cyrillic := regexp.MustCompile(`\p{Cyrillic}{2,}`)
	key := regexp.MustCompile(`\b(web|js|common|notify|voice|c2c|harden|pages|res)\.[a-z_]+\.[a-z_.]+`)
	// {number}, {link}: the placeholders of notification templates, the
	// same in every language
	placeholder := regexp.MustCompile(`\{[a-z_]+\}`)
	shots := os.Getenv("HOTLINE_SCREENSHOTS")

	for _, lang := range []string{"ru", "en"} {
		for _, role := range crm.Roles {
			t.Run(lang+"/"+string(role), func(t *testing.T) {
				bctx := browser(t, lang)
				tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
				defer cancel()
				if err := chromedp.Do(tctx,
					chromedp.Navigate(srv.URL+"/login"),
					chromedp.WaitVisible(chromedp.ID("login-form")),
					chromedp.SendKeys(chromedp.ID("login"), users[role].Login),
					chromedp.SendKeys(chromedp.ID("password"), password),
					chromedp.Click(chromedp.ID("login-submit")),
					chromedp.WaitVisible(chromedp.ID("logout")),
				); err != nil {
					t.Fatalf("sign in: %v", err)
				}
				links, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](
					`[...document.querySelectorAll("header nav a, #profile-link")].map(a => a.getAttribute("href"))`))
				if err != nil || len(links) < 4 {
					t.Fatalf("nav links %v, %v", links, err)
				}
				links = append(links, "/clients/new", fmt.Sprintf("/clients/%d", client.ID), fmt.Sprintf("/tickets/new?client=%d", client.ID))
				slices.Sort(links)
				for _, path := range slices.Compact(links) {
					if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
						t.Errorf("%s: %v", path, err)
						continue
					}
					time.Sleep(300 * time.Millisecond) // scripts fill their parts
					// Text marked as another language (a prompt's Russian and
					// English texts) is data, not UI: hidden before reading.
					text, err := chromedp.Run(tctx, chromedp.Evaluate[string](
						`document.querySelectorAll("body [lang]").forEach(e => { if (e.lang !== document.documentElement.lang) e.style.display = "none"; }),
						document.title + "\n" + document.body.innerText + "\n" + [...document.querySelectorAll("[placeholder],[aria-label],[title]")].filter(e => !e.lang || e.lang === document.documentElement.lang).map(e => (e.getAttribute("placeholder")||"") + " " + (e.getAttribute("aria-label")||"") + " " + (e.getAttribute("title")||"")).join("\n")`))
					if err != nil {
						t.Errorf("%s: %v", path, err)
						continue
					}
					if k := key.FindString(text); k != "" {
						t.Errorf("%s shows the catalogue key %q", path, k)
					}
					text = placeholder.ReplaceAllString(text, "")
					var foreign []string
					if lang == "ru" {
						for _, w := range latin.FindAllString(text, -1) {
							if !allowed[strings.ToLower(w)] {
								foreign = append(foreign, w)
							}
						}
					} else {
						for _, w := range cyrillic.FindAllString(text, -1) {
							if !allowed[strings.ToLower(w)] && !strings.Contains(client.Name, w) && w != "Русский" {
								foreign = append(foreign, w)
							}
						}
					}
					if len(foreign) > 0 {
						slices.Sort(foreign)
						t.Errorf("%s (%s, %s) shows untranslated words %q", path, lang, role, slices.Compact(foreign))
					}
					if shots != "" {
						png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
						if err == nil {
							name := lang + "-" + string(role) + strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(path) + ".png"
							_ = os.WriteFile(filepath.Join(shots, name), png, 0o644)
						}
					}
				}
			})
		}
	}
}

// browser starts a headless Chromium whose language (and Accept-Language)
// is lang.
func browser(t *testing.T, lang string) context.Context {
	t.Helper()
	accept := map[string]string{"ru": "ru-RU,ru", "en": "en-US,en"}[lang]
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", lang), chromedp.Flag("accept-lang", accept),
		chromedp.WindowSize(1280, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) HotlineTest", AcceptLanguage: accept}); err != nil {
		t.Fatalf("browser language: %v", err)
	}
	return ctx
}
