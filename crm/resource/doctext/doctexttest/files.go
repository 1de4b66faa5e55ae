// Package doctexttest builds files of the formats doctext reads (DOCX,
// XLSX, PPTX, ODT, ODS, PDF) for tests, so that tests carry no binaries.
package doctexttest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-pdf/fpdf"
)

// Part is a file inside a zip archive.
type Part struct{ Name, Body string }

// Zip builds a zip archive of the parts, in order.
func Zip(t testing.TB, parts ...Part) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range parts {
		f, err := w.Create(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(f, p.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const (
	wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	odfNS  = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"`
)

// DOCX is a Word document with one paragraph per string.
func DOCX(t testing.TB, paras ...string) []byte {
	var body strings.Builder
	for _, p := range paras {
		// Words split over runs, with a tab, as Word writes them.
		first, rest, _ := strings.Cut(html.EscapeString(p), " ")
		fmt.Fprintf(&body, `<w:p><w:r><w:t>%s</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">%s</w:t></w:r><w:r><w:instrText>PAGE</w:instrText></w:r></w:p>`, first, rest)
	}
	return Zip(t,
		Part{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		Part{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` + body.String() + `</w:body></w:document>`},
		Part{"word/footer1.xml", `<w:ftr ` + wordNS + `><w:p><w:r><w:t>Колонтитул footer</w:t></w:r></w:p></w:ftr>`})
}

// XLSX is a workbook: shared strings and one inline string.
func XLSX(t testing.TB, shared []string, inline string) []byte {
	var si strings.Builder
	for _, s := range shared {
		fmt.Fprintf(&si, `<si><t>%s</t></si>`, html.EscapeString(s))
	}
	ns := `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	return Zip(t,
		Part{"xl/workbook.xml", `<workbook ` + ns + `><sheets><sheet name="Лист1" sheetId="1"/></sheets></workbook>`},
		Part{"xl/sharedStrings.xml", `<sst ` + ns + `>` + si.String() + `</sst>`},
		Part{"xl/worksheets/sheet1.xml", `<worksheet ` + ns + `><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c>` +
			`<c r="C1" t="inlineStr"><is><t>` + html.EscapeString(inline) + `</t></is></c></row></sheetData></worksheet>`})
}

// PPTX is a presentation with one slide.
func PPTX(t testing.TB, text string) []byte {
	return Zip(t,
		Part{"ppt/presentation.xml", `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`},
		Part{"ppt/slides/slide1.xml", `<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>` +
			html.EscapeString(text) + `</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`})
}

// ODF is an OpenDocument file of the given kind ("text" or "spreadsheet")
// whose body is bodyXML.
func ODF(t testing.TB, kind, bodyXML string) []byte {
	return Zip(t,
		Part{"mimetype", "application/vnd.oasis.opendocument." + kind},
		Part{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odfNS + `><office:body><office:` + kind + `>` +
			bodyXML + `</office:` + kind + `></office:body></office:document-content>`},
		Part{"styles.xml", `<office:document-styles ` + odfNS + `/>`})
}

var fontOnce = sync.OnceValues(func() ([]byte, error) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/go-pdf/fpdf").Output()
	if err != nil {
		return nil, fmt.Errorf("find fpdf's fonts: %w", err)
	}
	return os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "font", "DejaVuSansCondensed.ttf"))
})

// PDF is a PDF written by go-pdf/fpdf with an embedded Unicode font
// (Type0, Identity-H, ToUnicode CMap), one line per string, a page per
// pages entry.
func PDF(t testing.TB, pages ...[]string) []byte {
	t.Helper()
	font, err := fontOnce()
	if err != nil {
		t.Fatal(err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("dejavu", "", font)
	for _, lines := range pages {
		f.AddPage()
		f.SetFont("dejavu", "", 12)
		for _, l := range lines {
			f.Cell(0, 10, l)
			f.Ln(10)
		}
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// RawPDF is a one-page PDF whose content stream is content (deflated when
// flate), written by hand so that it can be broken on purpose.
func RawPDF(content string, flate bool) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) { offs = append(offs, b.Len()); b.WriteString(s) }
	b.WriteString("%PDF-1.4\n")
	obj("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	obj("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	obj("3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n")
	data, filter := []byte(content), ""
	if flate {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(data)
		w.Close()
		data, filter = z.Bytes(), " /Filter /FlateDecode"
	}
	obj(fmt.Sprintf("4 0 obj\n<< /Length %d%s >>\nstream\n", len(data), filter))
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
	obj("5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
