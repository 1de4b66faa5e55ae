package doctext

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/dslipak/pdf"
)

// PDF text is read with github.com/dslipak/pdf's object reader and content
// stream interpreter, and our own decoding of fonts' ToUnicode CMaps (the
// library's gets multi-byte ranges wrong, which loses Cyrillic). The
// library panics on many malformed files and loops forever on some (an
// unterminated string at the end of a stream), so readPDF runs only in
// the child process of ServePDF.

// maxPages bounds the pages read (a file may claim any count).
const maxPages = 5000

// errFull stops the content stream interpreter once the text budget is spent.
var errFull = errors.New("text budget spent")

// readPDF writes the text of a PDF to out, page by page.
func readPDF(content []byte, out *textBuffer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errFull) {
				return
			}
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	n := min(r.NumPage(), maxPages)
	for i := 1; i <= n && !out.Full(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			break
		}
		readPage(p, out)
		out.breakLine()
	}
	return nil
}

// readPage writes a page's text: the strings its content streams show,
// decoded with their fonts, a line break where text moves down a line.
func readPage(p pdf.Page, out *textBuffer) {
	fonts := map[string]func(string) string{}
	for _, name := range p.Fonts() {
		fonts[name] = fontDecoder(p.Font(name))
	}
	decode := func(s string) string { return s }
	show := func(v pdf.Value) {
		if v.Kind() == pdf.String {
			out.WriteString(decode(v.RawString()))
		}
	}
	contents := p.V.Key("Contents")
	streams := []pdf.Value{contents}
	if contents.Kind() == pdf.Array {
		streams = streams[:0]
		for i := range contents.Len() {
			streams = append(streams, contents.Index(i))
		}
	}
	for _, strm := range streams {
		pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch {
			case op == "Tf" && len(args) == 2:
				if d, ok := fonts[args[0].Name()]; ok {
					decode = d
				}
			case op == "Tj" && len(args) == 1:
				show(args[0])
			case (op == "'" || op == "\"") && len(args) > 0:
				out.breakLine()
				show(args[len(args)-1])
			case op == "TJ" && len(args) == 1:
				for i := range args[0].Len() {
					if x := args[0].Index(i); x.Kind() == pdf.String {
						show(x)
					} else if x.Float64() < -200 { // a gap wider than a fifth of the font size
						out.WriteString(" ")
					}
				}
			case op == "T*" || ((op == "Td" || op == "TD") && len(args) == 2 && args[1].Float64() != 0):
				out.breakLine()
			case op == "Td" || op == "TD" || op == "Tm" || op == "ET":
				out.WriteString(" ")
			}
			if out.Full() {
				panic(errFull)
			}
		})
	}
}

// fontDecoder turns a font's codes into text: by its ToUnicode CMap when
// it has one, else by the library's simple encodings (WinAnsi, MacRoman,
// Differences).
func fontDecoder(f pdf.Font) func(string) string {
	if tu := f.V.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		if m := readCMap(tu.Reader(), f.V.Key("Subtype").Name() == "Type0"); m != nil {
			return m.decode
		}
	}
	return f.Encoder().Decode
}

// cmap is a ToUnicode CMap (Adobe TN 5014, 5411): codes of 1 to 4 bytes to
// text given in UTF-16BE.
type cmap struct {
	widths []int             // code lengths in the codespace, shortest first
	chars  map[string]string // bfchar, code → text
	ranges []cmapRange       // bfrange
}

type cmapRange struct {
	lo, hi uint32
	width  int
	base   []uint16 // the first code's text; later codes add to the last unit
	list   []string // or one text per code
}

var (
	cmapSection = regexp.MustCompile(`(?s)begin(codespacerange|bfchar|bfrange)(.*?)end(?:codespacerange|bfchar|bfrange)`)
	cmapToken   = regexp.MustCompile(`<[0-9A-Fa-f\s]*>|\[|\]`)
)

// readCMap parses a CMap's codespace, bfchar and bfrange sections (at most
// 1 MiB of it); nil when it holds no mappings.
func readCMap(rd io.Reader, twoByte bool) (m *cmap) {
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	src, _ := io.ReadAll(io.LimitReader(rd, 1<<20))
	m = &cmap{chars: map[string]string{}}
	for _, sec := range cmapSection.FindAllSubmatch(src, -1) {
		toks := cmapToken.FindAll(sec[2], -1)
		switch string(sec[1]) {
		case "codespacerange":
			for i := 0; i+1 < len(toks); i += 2 {
				if w := len(hexBytes(toks[i])); w >= 1 && w <= 4 && !slices.Contains(m.widths, w) {
					m.widths = append(m.widths, w)
				}
			}
		case "bfchar":
			for i := 0; i+1 < len(toks); i += 2 {
				m.chars[string(hexBytes(toks[i]))] = utf16Text(units(hexBytes(toks[i+1])))
			}
		case "bfrange":
			m.ranges = append(m.ranges, readRanges(toks)...)
		}
	}
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	slices.Sort(m.widths)
	if len(m.widths) == 0 {
		m.widths = []int{1}
		if twoByte {
			m.widths = []int{2}
		}
	}
	return m
}

// readRanges reads bfrange entries: <lo> <hi> <dst> or <lo> <hi> [<dst>...].
func readRanges(toks [][]byte) []cmapRange {
	var out []cmapRange
	for i := 0; i+2 < len(toks); {
		lo, hi := hexBytes(toks[i]), hexBytes(toks[i+1])
		r := cmapRange{lo: codeOf(lo), hi: codeOf(hi), width: len(lo)}
		i += 2
		if string(toks[i]) == "[" {
			for i++; i < len(toks) && string(toks[i]) != "]"; i++ {
				r.list = append(r.list, utf16Text(units(hexBytes(toks[i]))))
			}
			i++
		} else {
			r.base = units(hexBytes(toks[i]))
			i++
		}
		if r.width >= 1 && r.width <= 4 && r.lo <= r.hi {
			out = append(out, r)
		}
	}
	return out
}

// decode maps a shown string's codes to text; unknown codes are dropped.
func (m *cmap) decode(raw string) string {
	var b strings.Builder
	for len(raw) > 0 {
		w := m.widths[0]
		for _, cw := range m.widths {
			if cw <= len(raw) && m.known(raw[:cw]) {
				w = cw
				break
			}
		}
		if w > len(raw) {
			break
		}
		b.WriteString(m.lookup(raw[:w]))
		raw = raw[w:]
	}
	return b.String()
}

func (m *cmap) known(code string) bool { return m.lookup(code) != "" }

func (m *cmap) lookup(code string) string {
	if s, ok := m.chars[code]; ok {
		return s
	}
	c := codeOf([]byte(code))
	for _, r := range m.ranges {
		if r.width != len(code) || c < r.lo || c > r.hi {
			continue
		}
		off := c - r.lo
		if r.list != nil {
			if int(off) < len(r.list) {
				return r.list[off]
			}
			return ""
		}
		if len(r.base) == 0 {
			return ""
		}
		u := append([]uint16(nil), r.base...)
		u[len(u)-1] += uint16(off)
		return utf16Text(u)
	}
	return ""
}

func hexBytes(tok []byte) []byte {
	s := strings.Join(strings.Fields(strings.Trim(string(tok), "<>")), "")
	if len(s)%2 == 1 {
		s += "0"
	}
	b, _ := hex.DecodeString(s)
	return b
}

func codeOf(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 | uint32(x)
	}
	return c
}

func units(b []byte) []uint16 {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return u
}

func utf16Text(u []uint16) string { return string(utf16.Decode(u)) }
