package resource_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/resource/doctext"
	"hotline/crm/resource/doctext/doctexttest"
)

func contractData() resource.TemplateData {
	return resource.TemplateData{
		Client: crm.Client{Name: "ООО «Ромашка» & сыновья", Legal: crm.Requisites{INN: "7707083893", KPP: "773601001",
			OGRN: "1027700132195", LegalAddress: "117312, г. Москва, ул. Вавилова, д. 19", BankName: "ПАО Сбербанк",
			BIK: "044525225", Account: "40702810438000060473"}},
		User:      crm.User{Name: "Светлана <Супервизорова>"},
		TodayLong: resource.RussianLongDate(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)),
		Amount:    resource.RussianMoney(120050), AmountWords: resource.RussianRoublesWords(120050),
	}
}

// TestFillDOCX: placeholders split across runs, bookmarks and spelling
// marks are filled; the result is a package unzip -t accepts, every part
// well-formed XML (xmllint), untouched parts byte for byte the same, and
// its text has the client's INN, the Russian date and the sum in words.
func TestFillDOCX(t *testing.T) {
	in := doctexttest.ContractDOCX(t)
	out, err := resource.FillDOCX(context.Background(), in, contractData(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "filled.docx")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("unzip", "-t", path).CombinedOutput(); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, b)
	}
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if len(zr.File) != len(orig.File) || zr.File[0].Name != "[Content_Types].xml" {
		t.Fatalf("parts changed: %d, first %s", len(zr.File), zr.File[0].Name)
	}
	for i, f := range zr.File {
		body := readZipPart(t, f)
		if _, err := exec.LookPath("xmllint"); err == nil {
			cmd := exec.Command("xmllint", "--noout", "-")
			cmd.Stdin = bytes.NewReader(body)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s is not well-formed: %v\n%s", f.Name, err, b)
			}
		}
		if f.Name == "word/styles.xml" && !bytes.Equal(body, readZipPart(t, orig.File[i])) {
			t.Fatal("an untouched part changed")
		}
	}
	text, err := doctext.New(doctext.Options{}).Text(context.Background(), resource.DOCXType, out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ИНН 7707083893,", "г. Москва, 7 декабря 2026 г.", "Покупатель: ООО «Ромашка» & сыновья",
		"КПП 773601001", "р/с 40702810438000060473 в ПАО Сбербанк", "200,50 руб. (одна тысяча двести рублей 50 копеек)",
		"Менеджер: Светлана <Супервизорова> & Co <продажи>"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "{{") {
		t.Errorf("a placeholder is left:\n%s", text)
	}
	var doc []byte
	for _, f := range zr.File {
		if f.Name == "word/header1.xml" {
			doc = readZipPart(t, f)
		}
	}
	if !strings.Contains(string(doc), "Договор с ООО «Ромашка» &amp; сыновья") {
		t.Errorf("header not filled: %s", doc)
	}
}

func readZipPart(t *testing.T, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFillDOCXRefuses: not a package, an unknown field, an unclosed
// placeholder, an output over the limit and a cancelled fill are errors.
func TestFillDOCXRefuses(t *testing.T) {
	data := contractData()
	bad := func(body string) []byte {
		return doctexttest.Zip(t, doctexttest.Part{Name: "word/document.xml", Body: `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>` + body + `</w:t></w:r></w:p></w:body></w:document>`})
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		in   []byte
		max  int
		want string
	}{
		{"not a zip", context.Background(), []byte("plain text"), 1 << 20, "not a DOCX"},
		{"no document", context.Background(), doctexttest.Zip(t, doctexttest.Part{Name: "a.xml", Body: "<a/>"}), 1 << 20, "no word/document.xml"},
		{"unknown field", context.Background(), bad("{{.Client.Nme}}"), 1 << 20, "Nme"},
		{"unclosed", context.Background(), bad("{{.Client.Name"), 1 << 20, "not closed"},
		{"too big", context.Background(), doctexttest.ContractDOCX(t), 200, "cannot be written"},
		{"cancelled", cancelled, doctexttest.ContractDOCX(t), 1 << 20, "too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resource.FillDOCX(tc.ctx, tc.in, data, tc.max)
			if err == nil || !crm.IsKind(err, crm.KindInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
