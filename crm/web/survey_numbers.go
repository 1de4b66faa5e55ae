package web

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Numbers of a campaign typed or pasted on the form, or read from an
// uploaded CSV or XLSX file (the page's script sends the file's bytes in a
// form field, base64, so the ordinary form post carries it).

// errNoSheet is an XLSX file without a sheet.
var errNoSheet = errors.New("the workbook has no sheet")

// maxFileNumbers bounds the numbers read from one file.
const maxFileNumbers = 10000

// pastedNumbers splits a pasted list: one number a line (or ; separated).
func pastedNumbers(text string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// fileNumbers reads the rows of an uploaded file (name says CSV or XLSX;
// data is base64) and returns, of each row, the first cell that is a phone
// number by norm; rows without one (a header) are skipped.
func fileNumbers(name, data string, norm func(string) (string, error)) ([]string, error) {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("decode the file: %w", err)
	}
	var rows [][]string
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		rows, err = xlsxRows(raw)
	} else {
		rows, err = csvRows(raw)
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range rows {
		for _, cell := range row {
			if n, err := norm(strings.TrimSpace(cell)); err == nil && strings.TrimSpace(cell) != "" {
				out = append(out, n)
				break
			}
		}
		if len(out) >= maxFileNumbers {
			break
		}
	}
	return out, nil
}

// csvRows reads comma- or semicolon-separated rows (spreadsheets in
// Russian locales write ;).
func csvRows(raw []byte) ([][]string, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(raw))
	if first, _, _ := bytes.Cut(raw, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		rows = append(rows, rec)
	}
}

// xlsxRows reads the first sheet of a workbook.
func xlsxRows(raw []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read XLSX: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errNoSheet
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("read XLSX: %w", err)
	}
	return rows, nil
}
