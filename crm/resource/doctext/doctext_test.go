package doctext_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hotline/crm/resource/doctext"
	dt "hotline/crm/resource/doctext/doctexttest"
)

// childEnv makes this test binary act as the PDF child (see TestMain).
const childEnv = "DOCTEXT_TEST_PDF_CHILD=1"

func TestMain(m *testing.M) {
	if os.Getenv("DOCTEXT_TEST_PDF_CHILD") == "1" {
		os.Exit(doctext.ChildMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// pdfChild reads PDFs in a child process running this test binary.
func pdfChild(maxMemory int64) *doctext.Process {
	return doctext.NewProcess(doctext.ProcessOptions{Path: os.Args[0], Env: append(os.Environ(), childEnv), MaxMemory: maxMemory})
}

func TestText(t *testing.T) {
	t.Parallel()
	child := pdfChild(128 << 20)
	sheetBody := `<table:table><table:table-row><table:table-cell><text:p>Остаток</text:p></table:table-cell>` +
		`<table:table-cell><text:p>склад<text:s/>Казань</text:p></table:table-cell></table:table-row></table:table>`
	endless := strings.Repeat("1 0 0 1 0 0 cm ", 1<<22) // deflates to little, takes the library long
	for _, tc := range []struct {
		name    string
		ctype   string
		file    []byte
		lim     doctext.Limits
		noPDF   bool
		want    []string // substrings of the text
		wantErr error    // or the error (the text is then empty)
	}{
		{name: "docx", ctype: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			file: dt.DOCX(t, "Договор поставки оборудования", "Second paragraph & more"),
			want: []string{"Договор поставки оборудования\nSecond paragraph & more", "Колонтитул footer"}},
		{name: "docx sniffed as zip", ctype: "application/zip", file: dt.DOCX(t, "Счёт-фактура"), want: []string{"Счёт-фактура"}},
		{name: "xlsx", ctype: "application/zip", file: dt.XLSX(t, []string{"Прайс-лист", "Кабель ВВГ"}, "инлайн строка"),
			want: []string{"Прайс-лист\nКабель ВВГ", "инлайн строка"}},
		{name: "pptx", ctype: "application/zip", file: dt.PPTX(t, "Презентация продукта"), want: []string{"Презентация продукта"}},
		{name: "odt", ctype: "application/vnd.oasis.opendocument.text",
			file: dt.ODF(t, "text", `<text:h>Заголовок</text:h><text:p>Коммерческое<text:s/>предложение<text:line-break/>line two</text:p>`),
			want: []string{"Заголовок\nКоммерческое предложение\nline two"}},
		{name: "ods", ctype: "application/zip", file: dt.ODF(t, "spreadsheet", sheetBody), want: []string{"Остаток\nсклад Казань"}},
		{name: "pdf unicode font", ctype: "application/pdf", file: dt.PDF(t, []string{"Спецификация насоса", "pump specification"}, []string{"Страница два"}),
			want: []string{"Спецификация насоса\npump specification", "Страница два"}},
		{name: "pdf winansi", ctype: "application/pdf", file: dt.RawPDF("BT /F1 12 Tf 72 700 Td (Hello \\(PDF\\) world) Tj 0 -14 Td [(Kern)-300(ing)] TJ ET", true),
			want: []string{"Hello (PDF) world\nKern ing"}},
		{name: "html", ctype: "text/html", file: []byte("<p>Цена&nbsp;&laquo;опт&raquo;</p><script>var x = 'secret';</script>"),
			want: []string{"Цена «опт»"}},
		{name: "text with NUL", ctype: "text/plain", file: []byte("plain\x00 text \xff here"), want: []string{"plain text here"}},
		{name: "text budget", ctype: "text/plain", file: []byte(strings.Repeat("ёж ", 100)), lim: doctext.Limits{MaxText: 11},
			want: []string{"ёж ёж"}},
		{name: "image", ctype: "image/png", file: []byte("\x89PNG\r\n\x1a\n...."), want: []string{""}},
		{name: "plain zip", ctype: "application/zip", file: dt.Zip(t, dt.Part{Name: "a.txt", Body: "not searched"}), want: []string{""}},

		{name: "corrupt zip", ctype: "application/zip", file: []byte("PK\x03\x04 this is not an archive"), wantErr: doctext.ErrCorrupt},
		{name: "docx with broken xml", ctype: "application/zip",
			file: dt.Zip(t, dt.Part{Name: "word/document.xml", Body: "<w:document><w:body><w:p><w:t>half"}), wantErr: doctext.ErrCorrupt},
		{name: "zip bomb", ctype: "application/zip", lim: doctext.Limits{MaxUnpacked: 1 << 20},
			file: dt.Zip(t, dt.Part{Name: "word/document.xml", Body: "<w:document><w:t>" + strings.Repeat(" ", 8<<20) + "</w:t></w:document>"}), wantErr: doctext.ErrTooLarge},
		{name: "truncated pdf", ctype: "application/pdf", file: dt.PDF(t, []string{"x"})[:900], wantErr: doctext.ErrCorrupt},
		{name: "pdf that makes the library allocate forever", ctype: "application/pdf",
			file: dt.RawPDF("BT /F1 12 Tf (unterminated Tj ET", true), wantErr: doctext.ErrTooLarge},
		{name: "pdf over the time budget", ctype: "application/pdf", lim: doctext.Limits{Timeout: 1500 * time.Millisecond},
			file: dt.RawPDF(endless, true), wantErr: context.DeadlineExceeded},
		{name: "pdf without a reader", ctype: "application/pdf", noPDF: true, file: dt.RawPDF("BT (x) Tj ET", false), wantErr: doctext.ErrNoPDFReader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := doctext.Options{Limits: tc.lim, PDF: child}
			if tc.noPDF {
				o.PDF = nil
			}
			start := time.Now()
			got, err := doctext.New(o).Text(t.Context(), tc.ctype, tc.file)
			took := time.Since(start)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || got != "" {
					t.Fatalf("got %q, %v; want no text and %v", got, err, tc.wantErr)
				}
				t.Logf("%v after %v", err, took.Round(time.Millisecond))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
				t.Errorf("text is not clean UTF-8: %q", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("text %q lacks %q", got, w)
				}
			}
			if tc.lim.MaxText > 0 && len(got) > tc.lim.MaxText {
				t.Errorf("text of %d bytes is over the %d budget", len(got), tc.lim.MaxText)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ctype string
		file        []byte
		want        string
	}{
		{"pdf by content", "application/octet-stream", []byte("%PDF-1.7\n"), "pdf"},
		{"docx", "application/zip", dt.DOCX(t, "x"), "docx"},
		{"xlsx", "application/zip", dt.XLSX(t, nil, "x"), "xlsx"},
		{"pptx", "application/zip", dt.PPTX(t, "x"), "pptx"},
		{"odt", "application/zip", dt.ODF(t, "text", ""), "odf"},
		{"broken archive", "application/zip", []byte("PK\x03\x04..."), "zip"},
		{"other archive", "application/zip", dt.Zip(t, dt.Part{Name: "x", Body: "y"}), ""},
		{"html", "text/html; charset=utf-8", []byte("<p>"), "html"},
		{"csv", "text/csv", []byte("a,b"), "text"},
		{"jpeg", "image/jpeg", []byte("\xff\xd8\xff"), ""},
	} {
		if got := doctext.Format(tc.ctype, tc.file); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestProcessParallel: more PDFs than slots all get read, each in its own child.
func TestProcessParallel(t *testing.T) {
	t.Parallel()
	child := doctext.NewProcess(doctext.ProcessOptions{Path: os.Args[0], Env: append(os.Environ(), childEnv), Parallel: 1})
	x := doctext.New(doctext.Options{PDF: child})
	errs := make(chan error, 3)
	for _, word := range []string{"альфа", "бета", "гамма"} {
		file := dt.PDF(t, []string{word})
		go func() {
			got, err := x.Text(t.Context(), "application/pdf", file)
			if err == nil && !strings.Contains(got, word) {
				err = errors.New("text " + got + " lacks " + word)
			}
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
