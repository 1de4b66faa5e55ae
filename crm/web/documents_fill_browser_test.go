package web_test

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/resource/doctext"
	"hotline/crm/resource/doctext/doctexttest"
)

// TestBrowserFillDOCXContract: a supervisor uploads a Word contract as a
// template, picks the client by typing part of its name, types the sum in
// roubles and fills it: the file the form gets is a DOCX package unzip -t
// accepts whose text has the client's INN, the date in Russian long form
// and the sum in words.
func TestBrowserFillDOCXContract(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»", Company: "Ромашка",
		Legal: crm.Requisites{INN: "7707083893", KPP: "773601001", OGRN: "1027700132195", BIK: "044525225",
			Account: "40702810438000060473", BankName: "ПАО Сбербанк", LegalAddress: "117312, г. Москва, ул. Вавилова, д. 19"}}
	if err := s.store.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	contract := filepath.Join(dir, "Договор поставки.docx")
	if err := os.WriteFile(contract, doctexttest.ContractDOCX(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	err := chromedp.Do(tctx, signIn(s.ts.URL, "sveta"),
		chromedp.Click(chromedp.CSS("#doc-upload summary")),
		chromedp.SetUploadFiles(chromedp.ID("doc-files"), []string{contract}),
		chromedp.SetValue(chromedp.ID("doc-new-category"), "template"),
		chromedp.Click(chromedp.ID("upload-submit")),
	)
	if err == nil {
		err = waitVisibleAfterSubmit(tctx, "#fill-form")
	}
	if err == nil {
		err = chromedp.Do(tctx, pageLoaded(),
			chromedp.SendKeys(chromedp.ID("fill-client-q"), "Ромаш"),
			chromedp.WaitVisible(chromedp.CSS("#fill-client .picker-item")),
			chromedp.Click(chromedp.CSS("#fill-client .picker-item")),
			chromedp.SendKeys(chromedp.ID("fill-amount"), "1 200,50"),
		)
	}
	if err != nil {
		t.Fatalf("upload and pick: %v", err)
	}
	screenshot(t, tctx, "document-fill")
	// The form's own URL, fetched as the browser would download it.
	b64, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(async () => {
		const f = document.getElementById("fill-form");
		const res = await fetch(f.action + "?" + new URLSearchParams(new FormData(f)), {credentials: "same-origin"});
		if (!res.ok) return "status " + res.status;
		const bytes = new Uint8Array(await res.arrayBuffer());
		let s = ""; for (const b of bytes) s += String.fromCharCode(b);
		return btoa(s);
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
	docx, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("fill answered %q", b64)
	}
	path := filepath.Join(dir, "filled.docx")
	if err := os.WriteFile(path, docx, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unzip", "-t", path).CombinedOutput(); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	text, err := doctext.New(doctext.Options{}).Text(context.Background(), resource.DOCXType, docx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ИНН 7707083893", "Покупатель: ООО «Ромашка»", " г.", "одна тысяча двести рублей 50 копеек", "Менеджер: Светлана Супервизорова"} {
		if !strings.Contains(text, want) {
			t.Errorf("filled text lacks %q:\n%s", want, text)
		}
	}
}
