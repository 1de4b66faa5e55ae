package resource

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"text/template"
	"time"

	"hotline/crm"
)

// DOCX templates: Word documents whose text holds the same placeholders as
// text templates ({{.Client.Name}}, {{.Client.Legal.INN}}, {{.TodayLong}},
// {{.AmountWords}}). Word splits typed text into runs wherever formatting,
// spelling marks or revisions change, so one placeholder may span several
// <w:t> elements; the filler reads the text of each part as one string,
// finds the placeholders there, and writes each value into the run where
// its placeholder starts, leaving the others' formatting alone.

// DOCXType is the content type of Word documents (OOXML).
const DOCXType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Limits of one DOCX fill: a package of at most this many parts, parts to
// fill of at most this many bytes once unpacked, and placeholders.
const (
	maxDOCXParts        = 2000
	maxDOCXPartBytes    = 32 << 20
	maxDOCXPlaceholders = 5000
)

// IsDOCX reports whether a stored file is a Word document: by its content
// type, or a zip package named .docx.
func IsDOCX(contentType, filename string) bool {
	return strings.HasPrefix(contentType, DOCXType) ||
		(contentType == "application/zip" && strings.HasSuffix(strings.ToLower(filename), ".docx"))
}

// docxTextParts are the parts whose text is filled: the body, headers,
// footers, footnotes and endnotes.
var docxTextParts = regexp.MustCompile(`^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$`)

// FillDOCX fills the placeholders of a Word document with data and returns
// the new package (at most maxSize bytes). Parts other than the text ones
// are copied byte for byte. It stops when ctx is done.
func FillDOCX(ctx context.Context, docx []byte, data TemplateData, maxSize int) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return nil, crm.Errorf(crm.KindInvalid, "the template is not a DOCX package: %v", err)
	}
	if len(zr.File) > maxDOCXParts {
		return nil, crm.Errorf(crm.KindInvalid, "the DOCX package has %d parts; at most %d", len(zr.File), maxDOCXParts)
	}
	if !slicesContainsFile(zr.File, "word/document.xml") {
		return nil, crm.Errorf(crm.KindInvalid, "the template is not a DOCX package: no word/document.xml")
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&boundedBuffer{&out, maxSize})
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, crm.Errorf(crm.KindInvalid, "filling the template took too long")
		}
		if !docxTextParts.MatchString(f.Name) {
			if err := copyPart(zw, f); err != nil {
				return nil, fillFailed(err)
			}
			continue
		}
		xml, err := readPart(f)
		if err != nil {
			return nil, err
		}
		filled, err := fillPartXML(ctx, xml, data)
		if err != nil {
			return nil, err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err == nil {
			_, err = w.Write(filled)
		}
		if err != nil {
			return nil, fillFailed(err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fillFailed(err)
	}
	return out.Bytes(), nil
}

func slicesContainsFile(files []*zip.File, name string) bool {
	for _, f := range files {
		if f.Name == name {
			return true
		}
	}
	return false
}

func fillFailed(err error) error {
	return crm.Errorf(crm.KindInvalid, "the filled document cannot be written: %v", err)
}

// copyPart copies a part still compressed.
func copyPart(zw *zip.Writer, f *zip.File) error {
	r, err := f.OpenRaw()
	if err != nil {
		return err
	}
	w, err := zw.CreateRaw(&f.FileHeader)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// readPart unpacks a text part, refusing one over maxDOCXPartBytes (a zip
// bomb is not unpacked past the limit).
func readPart(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxDOCXPartBytes {
		return nil, crm.Errorf(crm.KindInvalid, "%s is over %d MiB unpacked", f.Name, maxDOCXPartBytes>>20)
	}
	r, err := f.Open()
	if err != nil {
		return nil, crm.Errorf(crm.KindInvalid, "%s cannot be read: %v", f.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxDOCXPartBytes+1))
	if err != nil {
		return nil, crm.Errorf(crm.KindInvalid, "%s cannot be read: %v", f.Name, err)
	}
	if len(b) > maxDOCXPartBytes {
		return nil, crm.Errorf(crm.KindInvalid, "%s is over %d MiB unpacked", f.Name, maxDOCXPartBytes>>20)
	}
	return b, nil
}

// textNode is one <w:t> element: where its text is in the part, the text
// (unescaped), and what the filler makes of it.
type textNode struct {
	open       int // start of the opening tag
	start, end int // the text between the tags
	tag        string
	text       string
	out        strings.Builder
	changed    bool
}

var wtOpen = regexp.MustCompile(`<w:t(\s[^>]*)?>`)

// textNodes finds the <w:t> elements of a part in order.
func textNodes(xml []byte) []*textNode {
	var nodes []*textNode
	for _, m := range wtOpen.FindAllIndex(xml, -1) {
		if xml[m[1]-2] == '/' { // <w:t/>: no text
			continue
		}
		end := bytes.Index(xml[m[1]:], []byte("</w:t>"))
		if end < 0 {
			break
		}
		nodes = append(nodes, &textNode{open: m[0], start: m[1], end: m[1] + end, tag: string(xml[m[0]:m[1]]),
			text: html.UnescapeString(string(xml[m[1] : m[1]+end]))})
	}
	return nodes
}

// fillPartXML replaces every {{...}} in the part's text, across runs.
func fillPartXML(ctx context.Context, xml []byte, data TemplateData) ([]byte, error) {
	nodes := textNodes(xml)
	// The text of the part, and for each byte the node it came from.
	var all strings.Builder
	var owner []int
	for i, n := range nodes {
		all.WriteString(n.text)
		for range len(n.text) {
			owner = append(owner, i)
		}
	}
	text := all.String()
	count := 0
	for pos := 0; pos < len(text); {
		open := strings.Index(text[pos:], "{{")
		if open < 0 {
			copyText(nodes, owner, text, pos, len(text))
			break
		}
		open += pos
		end := strings.Index(text[open:], "}}")
		if end < 0 {
			return nil, crm.Errorf(crm.KindInvalid, "template: a placeholder %q is not closed with }}", clip(text[open:]))
		}
		end += open + 2
		if count++; count > maxDOCXPlaceholders {
			return nil, crm.Errorf(crm.KindInvalid, "template: more than %d placeholders", maxDOCXPlaceholders)
		}
		if err := ctx.Err(); err != nil {
			return nil, crm.Errorf(crm.KindInvalid, "filling the template took too long")
		}
		value, err := evalPlaceholder(text[open:end], data)
		if err != nil {
			return nil, err
		}
		copyText(nodes, owner, text, pos, open)
		first := nodes[owner[open]]
		first.out.WriteString(value)
		for i := owner[open]; i <= owner[end-1]; i++ {
			nodes[i].changed = true
		}
		pos = end
	}
	var out bytes.Buffer
	last := 0
	for _, n := range nodes {
		if !n.changed {
			continue
		}
		out.Write(xml[last:n.open])
		tag := n.tag
		if !strings.Contains(tag, "xml:space") {
			tag = `<w:t xml:space="preserve"` + strings.TrimPrefix(tag, "<w:t")
		}
		out.WriteString(tag)
		out.WriteString(escapeXML(n.out.String()))
		last = n.end
	}
	out.Write(xml[last:])
	return out.Bytes(), nil
}

// copyText hands text[from:to] back to the nodes it came from.
func copyText(nodes []*textNode, owner []int, text string, from, to int) {
	for i := from; i < to; i++ {
		nodes[owner[i]].out.WriteByte(text[i])
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// evalPlaceholder executes one {{...}} on data, its output at most 64 KiB.
func evalPlaceholder(src string, data TemplateData) (string, error) {
	t, err := template.New("placeholder").Option("missingkey=error").Parse(src)
	if err != nil {
		return "", crm.Errorf(crm.KindInvalid, "template: %s: %v", clip(src), err)
	}
	var b bytes.Buffer
	if err := t.Execute(&boundedBuffer{&b, 64 << 10}, data); err != nil {
		return "", crm.Errorf(crm.KindInvalid, "template: %s: %v", clip(src), err)
	}
	return b.String(), nil
}

// escapeXML escapes text for an XML element's content.
func escapeXML(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				continue // not allowed in XML 1.0
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fillTimeout bounds one DOCX fill.
const fillTimeout = 10 * time.Second

// Fill fills a template document with data: a Word document (DOCX) in its
// XML, a text or HTML one as a Go template. The result is at most maxSize
// bytes; a DOCX fill stops after 10 seconds.
func Fill(ctx context.Context, u Upload, data TemplateData, maxSize int) ([]byte, error) {
	if IsDOCX(u.Type, u.Filename) {
		ctx, cancel := context.WithTimeout(ctx, fillTimeout)
		defer cancel()
		return FillDOCX(ctx, u.Content, data, maxSize)
	}
	return FillTemplate(ctx, u.Type, u.Content, data, maxSize)
}

// NewTemplateData is what a template sees when user fills it for client
// on day now (in the centre's zone), with a sum in kopecks when amount is
// not nil.
func NewTemplateData(client crm.Client, user crm.User, now time.Time, amount *int64) TemplateData {
	d := TemplateData{Client: client, User: user, Today: now.Format(time.DateOnly), TodayLong: RussianLongDate(now)}
	if amount != nil {
		d.Amount, d.AmountWords = RussianMoney(*amount), RussianRoublesWords(*amount)
	}
	return d
}

// boundedBuffer is a buffer that refuses to grow past max bytes.
type boundedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (w *boundedBuffer) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		return 0, fmt.Errorf("output over %d bytes", w.max)
	}
	return w.buf.Write(p)
}
