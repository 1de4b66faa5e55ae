package doctext

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Office files are zip archives of XML parts (ECMA-376 Office Open XML for
// DOCX, XLSX and PPTX; OASIS OpenDocument for ODT, ODS and ODP). The text
// is read from the parts below, streamed through encoding/xml (which
// expands no external or custom entities), with every decompressed byte
// counted against Limits.MaxUnpacked.

// markup says where a format keeps its text.
type markup struct {
	textIn  string   // character data counts only inside elements of this local name ("": everywhere)
	lineEnd []string // elements whose end breaks a line (paragraphs, rows, shared strings)
	blank   []string // empty elements that stand for a space (tabs, ODF's text:s)
	newline []string // empty elements that stand for a line break
}

var (
	ooxmlMarkup = markup{textIn: "t", lineEnd: []string{"p", "si", "tc", "row"}, blank: []string{"tab"}, newline: []string{"br", "cr"}}
	odfMarkup   = markup{lineEnd: []string{"p", "h", "table-cell"}, blank: []string{"s", "tab"}, newline: []string{"line-break"}}
)

// officeParts lists, for a format, the archive's parts holding text, in
// reading order, and how they are marked up.
func officeParts(format string, files []*zip.File) ([]*zip.File, markup) {
	pick := func(dir, prefix string) []*zip.File {
		var out []*zip.File
		for _, f := range files {
			if d, name := path.Split(f.Name); d == dir && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, ".xml") {
				out = append(out, f)
			}
		}
		slices.SortFunc(out, func(a, b *zip.File) int { return partNumber(a.Name) - partNumber(b.Name) })
		return out
	}
	switch format {
	case "docx":
		return slices.Concat(pick("word/", "document"), pick("word/", "header"), pick("word/", "footer"),
			pick("word/", "footnotes"), pick("word/", "endnotes")), ooxmlMarkup
	case "xlsx":
		return slices.Concat(pick("xl/", "sharedStrings"), pick("xl/worksheets/", "sheet")), ooxmlMarkup
	case "pptx":
		return pick("ppt/slides/", "slide"), ooxmlMarkup
	case "odf":
		return pick("", "content"), odfMarkup
	}
	return nil, markup{}
}

// partNumber is the number in "sheet12.xml" (0 without one), so that parts
// sort as sheet1, sheet2, sheet10.
func partNumber(name string) int {
	base := strings.TrimSuffix(path.Base(name), ".xml")
	i := strings.LastIndexFunc(base, func(r rune) bool { return r < '0' || r > '9' })
	n, _ := strconv.Atoi(base[i+1:])
	return n
}

// officeFormat tells the office formats apart by their parts: "docx",
// "xlsx", "pptx", "odf", "zip" for an archive that does not open, or ""
// for any other archive.
func officeFormat(content []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return "zip"
	}
	has := func(prefix string) bool {
		return slices.ContainsFunc(zr.File, func(f *zip.File) bool { return strings.HasPrefix(f.Name, prefix) })
	}
	switch {
	case has("word/document"):
		return "docx"
	case has("xl/workbook"):
		return "xlsx"
	case has("ppt/presentation"):
		return "pptx"
	case has("content.xml") && has("mimetype"):
		return "odf"
	}
	return ""
}

// readOffice writes the text of an office file to out.
func readOffice(ctx context.Context, format string, content []byte, maxUnpacked int64, out *textBuffer) error {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	parts, m := officeParts(format, zr.File)
	budget := &budgetReader{left: maxUnpacked}
	for _, f := range parts {
		if out.Full() {
			break
		}
		if err := readPart(ctx, f, m, budget, out); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// readPart streams one XML part into out.
func readPart(ctx context.Context, f *zip.File, m markup, budget *budgetReader, out *textBuffer) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer rc.Close()
	budget.r = rc
	dec := xml.NewDecoder(budget)
	inText := 0
	for n := 0; !out.Full(); n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return err
			}
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch name := t.Name.Local; {
			case name == m.textIn:
				inText++
			case slices.Contains(m.blank, name):
				out.WriteString(" ")
			case slices.Contains(m.newline, name):
				out.breakLine()
			}
		case xml.EndElement:
			switch name := t.Name.Local; {
			case name == m.textIn && inText > 0:
				inText--
			case slices.Contains(m.lineEnd, name):
				out.breakLine()
			}
		case xml.CharData:
			if m.textIn == "" || inText > 0 {
				out.WriteString(string(t))
			}
		}
	}
	return nil
}

// budgetReader reads from r while the shared budget lasts, then fails
// with ErrTooLarge: the defence against zip bombs, whose declared sizes
// cannot be trusted.
type budgetReader struct {
	r    io.Reader
	left int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte // at the limit: fine if the part ends here
		if n, err := b.r.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
