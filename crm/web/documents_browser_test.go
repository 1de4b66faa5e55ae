package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

type docSite struct {
	store *postgres.Services
	ts    *httptest.Server
	users map[string]crm.User
}

// newDocSite serves the pages with the document library; its people read
// Russian: a supervisor, two agents and an admin.
func newDocSite(t *testing.T) *docSite {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountDocuments(documentPageDeps(st, 1<<20))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	s := &docSite{store: st, ts: ts, users: map[string]crm.User{}}
	for _, u := range []crm.User{
		{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"},
		{Login: "ivan", Name: "Иван Операторов", Role: crm.RoleAgent, Language: "ru"},
		{Login: "petr", Name: "Пётр Без Доступа", Role: crm.RoleAgent, Language: "ru"},
	} {
		created, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		s.users[u.Login] = created
	}
	return s
}

func signIn(base, login string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/documents"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("doc-search")),
		pageLoaded(),
	)
}

// clickAndWait clicks sel and waits for wait on the page that follows (the
// page clicked on is marked, so its own elements do not count).
func clickAndWait(ctx context.Context, sel, wait string) error {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.old = "1"`)); err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) "+wait)))
}

// textOf is the text of the first element sel matches ("" on error, which
// the caller's assertion then reports).
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Errorf("text of %s: %v", sel, err)
	}
	return s
}

// TestBrowserDocumentLibrary: a supervisor uploads two files at once as
// marketing materials, opens one, drops a new version on it and grants
// one agent read access by picking his name; that agent finds it by
// category and by a word of its text, while another agent sees neither
// file by page, by search or by direct URL, and the first agent cannot
// see the file nobody granted him.
func TestBrowserDocumentLibrary(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	price := filepath.Join(dir, "Прайс-лист 2026.txt")
	spec := filepath.Join(dir, "spec.txt")
	if err := os.WriteFile(price, []byte("Прайс-лист: маршрутизаторы и коммутаторы, скидка дилерам"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec, []byte("Техническое описание коммутатора: порты и питание"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := s.ts.URL
	sup, cancelSup := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	defer cancelSup()
	err := chromedp.Do(sup, signIn(u, "sveta"),
		chromedp.Click(chromedp.CSS("#doc-upload summary")),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
		chromedp.SetUploadFiles(chromedp.ID("doc-files"), []string{price, spec}),
		chromedp.SetValue(chromedp.ID("doc-new-category"), "marketing"),
		chromedp.SendKeys(chromedp.ID("doc-tags"), "прайс, 2026"),
		chromedp.Click(chromedp.ID("upload-submit")),
	)
	if err == nil {
		err = waitVisibleAfterSubmit(sup, ".alert-ok")
	}
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if flash := textOf(t, sup, ".alert-ok"); !strings.Contains(flash, "Загружено 2 документа") {
		t.Fatalf("flash after upload: %q", flash)
	}
	sv := resource.Reader{UserID: s.users["sveta"].ID, Role: crm.RoleSupervisor}
	docs, err := s.store.Documents.ListDocuments(context.Background(), sv, resource.DocumentFilter{})
	if err != nil || len(docs) != 2 {
		t.Fatalf("documents after upload: %v %v", docs, err)
	}
	ids := map[string]int64{}
	for _, d := range docs {
		if d.Category != resource.DocMarketing || strings.Join(d.Tags, ",") != "прайс,2026" {
			t.Fatalf("stored %+v", d)
		}
		ids[d.Title] = d.ID
	}
	priceID, specID := ids["Прайс-лист 2026"], ids["spec"]
	if priceID == 0 || specID == 0 {
		t.Fatalf("titles from file names: %v", ids)
	}
	screenshot(t, sup, "documents-list")

	// A new version dropped on the box, then read access for Ivan, picked
	// by typing part of his name.
	ivanField := "g.user." + strconv.FormatInt(s.users["ivan"].ID, 10)
	err = chromedp.Do(sup,
		chromedp.Navigate(u+"/documents/"+strconv.FormatInt(priceID, 10)),
		chromedp.WaitVisible(chromedp.ID("version-form")))
	if err != nil {
		t.Fatalf("document page: %v", err)
	}
	if _, err := chromedp.Run(sup, chromedp.Evaluate[any](`(() => {
			const dt = new DataTransfer();
			dt.items.add(new File(["Прайс-лист, версия 2: маршрутизаторы дешевле"], "Прайс-лист 2026 v2.txt", {type: "text/plain"}));
			document.getElementById("version-dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
			return document.querySelector("#version-dropzone .drop-list").textContent;
		})()`)); err != nil {
		t.Fatalf("drop: %v", err)
	}
	err = chromedp.Do(sup, chromedp.Click(chromedp.ID("version-submit")))
	if err == nil {
		err = waitVisibleAfterSubmit(sup, ".alert-ok")
	}
	if err != nil {
		t.Fatalf("new version: %v", err)
	}
	version := textOf(t, sup, "#doc-version")
	err = chromedp.Do(sup,
		chromedp.SendKeys(chromedp.CSS("#grants-form .grant-filter"), "Иван"),
		chromedp.SetValue(chromedp.CSS(`#grants-form select[name="`+ivanField+`"]`), "read"),
	)
	if err == nil {
		err = clickAndWait(sup, "#grants-submit", ".alert-ok")
	}
	if err != nil {
		t.Fatalf("grants: %v", err)
	}
	if grantFlash := textOf(t, sup, ".alert-ok"); version != "2" || !strings.Contains(grantFlash, "Доступ сохранён") {
		t.Fatalf("version %q, flash %q", version, grantFlash)
	}
	screenshot(t, sup, "document-page")
	d, err := s.store.Documents.GetDocument(context.Background(), sv, priceID)
	if err != nil || len(d.Grants) != 1 || d.Grants[0].Kind != resource.GrantUser || d.Grants[0].Who != strconv.FormatInt(s.users["ivan"].ID, 10) || d.Grants[0].Write {
		t.Fatalf("grants stored: %+v %v", d.Grants, err)
	}

	// Ivan: the price list by category and by a word of its text (the
	// new version's), not the spec.
	ivan, cancelIvan := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	defer cancelIvan()
	err = chromedp.Do(ivan, signIn(u, "ivan"),
		chromedp.Navigate(u+"/documents?category=marketing"),
		chromedp.WaitVisible(chromedp.ID("documents")))
	if err != nil {
		t.Fatalf("ivan: %v", err)
	}
	list := textOf(t, ivan, "#documents")
	err = chromedp.Do(ivan, chromedp.SendKeys(chromedp.ID("doc-q"), "дешевле"))
	if err == nil {
		err = clickAndWait(ivan, "#doc-search-submit", "#documents")
	}
	if err != nil {
		t.Fatalf("ivan's search: %v", err)
	}
	found := textOf(t, ivan, "#documents")
	err = chromedp.Do(ivan,
		chromedp.Navigate(u+"/documents/"+strconv.FormatInt(specID, 10)),
		chromedp.WaitVisible(chromedp.CSS("main")))
	if err != nil {
		t.Fatalf("ivan opens the spec: %v", err)
	}
	specPage := textOf(t, ivan, "main")
	if !strings.Contains(list, "Прайс-лист 2026") || strings.Contains(list, "spec") {
		t.Fatalf("ivan's marketing list: %q", list)
	}
	if !strings.Contains(found, "Прайс-лист 2026") {
		t.Fatalf("ivan's search: %q", found)
	}
	if !strings.Contains(specPage, "Такой страницы или записи нет") {
		t.Fatalf("ivan opened the spec: %q", specPage)
	}

	// Petr has no grant: an empty library, an empty search, not found by URL.
	petr, cancelPetr := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	defer cancelPetr()
	if err := chromedp.Do(petr, signIn(u, "petr"), chromedp.WaitVisible(chromedp.ID("documents-empty"))); err != nil {
		t.Fatalf("petr: %v", err)
	}
	empty := textOf(t, petr, "#documents-empty")
	err = chromedp.Do(petr, chromedp.SendKeys(chromedp.ID("doc-q"), "маршрутизаторы"))
	if err == nil {
		err = clickAndWait(petr, "#doc-search-submit", "#documents-empty")
	}
	if err != nil {
		t.Fatalf("petr's search: %v", err)
	}
	searched := textOf(t, petr, "#documents-empty")
	err = chromedp.Do(petr,
		chromedp.Navigate(u+"/documents/"+strconv.FormatInt(priceID, 10)),
		chromedp.WaitVisible(chromedp.CSS("main")))
	if err != nil {
		t.Fatalf("petr opens the price list: %v", err)
	}
	direct := textOf(t, petr, "main")
	if !strings.Contains(empty, "пока нет") || !strings.Contains(searched, "Ничего не найдено") || !strings.Contains(direct, "Такой страницы или записи нет") {
		t.Fatalf("petr saw: %q / %q / %q", empty, searched, direct)
	}
	screenshot(t, petr, "documents-denied")

	petrReader := resource.Reader{UserID: s.users["petr"].ID, Role: crm.RoleAgent}
	if vs, err := s.store.Documents.ListDocumentVersions(context.Background(), petrReader, priceID); crm.ErrorStatus(err) != http.StatusNotFound {
		t.Fatalf("petr lists the versions: %v %v", vs, err)
	}

	// The file itself by direct URL: Petr's session gets 404, Ivan's the content.
	for login, want := range map[string]int{"petr": http.StatusNotFound, "ivan": http.StatusOK} {
		b := (&site{t: t, store: s.store, ts: s.ts}).browser()
		b.login(login)
		resp, body := b.get("/documents/" + strconv.FormatInt(priceID, 10) + "/file")
		if resp.StatusCode != want {
			t.Fatalf("%s downloads: %d", login, resp.StatusCode)
		}
		if want == http.StatusOK && (!strings.Contains(body, "версия 2") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment")) {
			t.Fatalf("ivan's download: %q %q", body, resp.Header.Get("Content-Disposition"))
		}
	}
}
