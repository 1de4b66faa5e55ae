package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
	"hotline/crm/resource/doctext"
	"hotline/crm/resource/doctext/doctexttest"
)

// TestFillDOCXContract: a Word contract uploaded as a template is filled
// for a client with requisites and a sum: the download is a DOCX package
// unzip -t accepts whose text has the client's INN, today in Russian long
// form and the sum in words; a sum that is not money is refused.
func TestFillDOCXContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	httpapi.RegisterDocuments(e.srv, httpapi.DocumentDeps{Documents: e.store.Documents, Clients: e.store.Clients, MaxSize: 0})
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»", Legal: crm.Requisites{INN: "7707083893", KPP: "773601001"}}
	if err := e.store.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	sup := e.login(crm.RoleSupervisor)
	resp, body := sup.do("POST", "/api/v1/documents", map[string]any{"title": "Договор поставки", "category": "template",
		"filename": "Договор.docx", "content_type": resource.DOCXType, "content": doctexttest.ContractDOCX(t)})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var doc struct{ ID int64 }
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	resp, body = sup.do("GET", fmt.Sprintf("/api/v1/documents/%d/fill?client_id=%d&amount=%s", doc.ID, c.ID, "1200.50"), nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != resource.DOCXType {
		t.Fatalf("fill: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	path := filepath.Join(t.TempDir(), "filled.docx")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unzip", "-t", path).CombinedOutput(); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	text, err := doctext.New(doctext.Options{}).Text(context.Background(), resource.DOCXType, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ИНН 7707083893", "КПП 773601001", " г.", "одна тысяча двести рублей 50 копеек"} {
		if !strings.Contains(text, want) {
			t.Errorf("filled text lacks %q:\n%s", want, text)
		}
	}
	resp, body = sup.do("GET", fmt.Sprintf("/api/v1/documents/%d/fill?client_id=%d&amount=lots", doc.ID, c.ID), nil)
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
}
