// Package doctext finds the searchable text of the document library's
// files: plain text, HTML, PDF, and the zip+XML office formats (DOCX, XLSX,
// PPTX, ODT, ODS, ODP).
//
// Files come from users, so every format is read under a budget: the text
// kept (Limits.MaxText), the bytes decompressed from one file
// (Limits.MaxUnpacked, against zip bombs) and the time spent
// (Limits.Timeout). PDFs are parsed by a third-party library that can loop
// forever or exhaust memory on a crafted file, so they are read only in a
// child process (see Process), which is killed when it overruns. A file
// whose text cannot be read is still a valid document: Text returns an
// error saying why, and the caller stores the file without text.
package doctext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits bound the work one file may cost. Zero values take the defaults.
type Limits struct {
	// MaxText is the most text kept, in bytes (default 1 MiB); the rest is
	// dropped without error.
	MaxText int
	// MaxUnpacked is the most a zip-based file may decompress to, in bytes
	// (default 64 MiB); over it, no text.
	MaxUnpacked int64
	// Timeout bounds the reading of one file (default 10 s).
	Timeout time.Duration
}

// Default limits.
const (
	DefaultMaxText     = 1 << 20
	DefaultMaxUnpacked = 64 << 20
	DefaultTimeout     = 10 * time.Second
)

func (l Limits) withDefaults() Limits {
	if l.MaxText <= 0 {
		l.MaxText = DefaultMaxText
	}
	if l.MaxUnpacked <= 0 {
		l.MaxUnpacked = DefaultMaxUnpacked
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	return l
}

// PDFReader returns the text of a PDF, at most maxText bytes.
type PDFReader interface {
	PDFText(ctx context.Context, pdf []byte, maxText int) (string, error)
}

// Options configure an Extractor.
type Options struct {
	Limits
	// PDF reads PDFs; nil leaves PDFs without text (ErrNoPDFReader).
	PDF PDFReader
}

// Extractor finds the text of files. Its zero value is usable: default
// limits, no PDF reader.
type Extractor struct {
	lim Limits
	pdf PDFReader
}

// New returns an Extractor.
func New(o Options) *Extractor {
	return &Extractor{lim: o.Limits.withDefaults(), pdf: o.PDF}
}

// Errors Text returns (wrapped) for files it cannot read.
var (
	// ErrCorrupt: the file is damaged or not what its type says.
	ErrCorrupt = errors.New("corrupt file")
	// ErrTooLarge: the file decompresses to more than Limits.MaxUnpacked.
	ErrTooLarge = errors.New("file unpacks to too much data")
	// ErrNoPDFReader: PDFs are not read (no PDFReader configured).
	ErrNoPDFReader = errors.New("no PDF reader configured")
)

// Format names what kind of file content is, from its bytes and declared
// content type: "pdf", "docx", "xlsx", "pptx", "odf", "html", "text", or
// "" (no text: images and unknown archives).
func Format(contentType string, content []byte) string {
	switch {
	case bytes.HasPrefix(content, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(content, []byte("PK\x03\x04")):
		return officeFormat(content)
	case strings.HasPrefix(contentType, "text/html"):
		return "html"
	case strings.HasPrefix(contentType, "text/"):
		return "text"
	}
	return ""
}

// Text returns the searchable text of a file of the given (checked)
// content type. Formats without text (images) give "" and no error; a file
// that cannot be read gives "" and an error saying why.
func (x *Extractor) Text(ctx context.Context, contentType string, content []byte) (string, error) {
	lim := x.lim.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	out := newTextBuffer(lim.MaxText)
	var err error
	switch f := Format(contentType, content); f {
	case "pdf":
		if x.pdf == nil {
			return "", ErrNoPDFReader
		}
		var s string
		if s, err = x.pdf.PDFText(ctx, content, lim.MaxText); err == nil {
			out.WriteString(s)
		}
	case "docx", "xlsx", "pptx", "odf", "zip":
		err = readOffice(ctx, f, content, lim.MaxUnpacked, out)
	case "html":
		out.WriteString(htmlText(string(content)))
	case "text":
		out.WriteString(string(content))
	}
	if err != nil {
		return "", fmt.Errorf("%s text: %w", Format(contentType, content), err)
	}
	return out.String(), nil
}

var tagStrip = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

// htmlText drops tags, scripts and styles and decodes entities.
func htmlText(s string) string {
	return html.UnescapeString(tagStrip.ReplaceAllString(s, " "))
}

// textBuffer keeps at most max bytes of clean text: valid UTF-8, no
// control characters but newline (PostgreSQL text refuses NUL), runs of
// blanks collapsed to one space or newline. Full reports that the budget is
// spent.
type textBuffer struct {
	b    strings.Builder
	max  int
	pend byte // separator owed before the next visible rune: 0, ' ' or '\n'
}

func newTextBuffer(max int) *textBuffer { return &textBuffer{max: max} }

// WriteString appends s, cleaned, until the buffer is full.
func (t *textBuffer) WriteString(s string) {
	for _, r := range s {
		switch {
		case r == '\n':
			t.breakLine()
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r):
			if t.pend == 0 {
				t.pend = ' '
			}
		default:
			n := utf8.RuneLen(r)
			if t.pend != 0 && t.b.Len() > 0 {
				n++
			}
			if t.b.Len()+n > t.max {
				t.max = t.b.Len() // full: refuse the rest, even shorter runes
				return
			}
			if t.pend != 0 && t.b.Len() > 0 {
				t.b.WriteByte(t.pend)
			}
			t.pend = 0
			t.b.WriteRune(r)
		}
	}
}

// breakLine ends a line (a paragraph, a cell).
func (t *textBuffer) breakLine() { t.pend = '\n' }

// Full reports whether no more text fits.
func (t *textBuffer) Full() bool { return t.b.Len() >= t.max }

func (t *textBuffer) String() string { return t.b.String() }
