package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hotline/internal/i18n"
)

// maxCSVCalls bounds one export (the same as the API's).
const maxCSVCalls = 100_000

// callCSVColumns are the catalogue keys of the CSV's headers.
var callCSVColumns = []string{"started", "direction", "outcome", "caller", "callee", "client", "agent", "agents",
	"answered", "ended", "wait", "ring", "talk", "hold", "hangup_by", "transfers", "id"}

// csv writes the filtered call log as CSV: headers in the reader's
// language, times in the centre's zone, at most maxCSVCalls calls.
func (cp *callPages) csv(w http.ResponseWriter, r *http.Request) {
	q := callQueryOf(r.URL.Query())
	f, err := cp.filter(r, q)
	d := callListData{Query: q}
	if err == nil {
		err = cp.pickClient(r, &d, &f)
	}
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	l := loc(r)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := make([]string, len(callCSVColumns))
	for i, c := range callCSVColumns {
		head[i] = l.T("pages.calls.csv."+c, nil)
	}
	_ = cw.Write(head)
	if len(d.Matches) == 0 && !d.NoMatch {
		f.Limit = 200
		for n := 0; n < maxCSVCalls/200; n++ {
			page, err := cp.log.ListCalls(r.Context(), f)
			if err != nil {
				cp.p.errorPage(w, r, err)
				return
			}
			rows, err := cp.withClients(r.Context(), page.Items)
			if err != nil {
				cp.p.errorPage(w, r, err)
				return
			}
			for _, c := range rows {
				_ = cw.Write(callCSVRecord(l, c))
			}
			if page.Next == "" {
				break
			}
			f.After = page.Next
		}
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="calls.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	// A byte-order mark, so that spreadsheets read the Cyrillic as UTF-8.
	_, _ = w.Write([]byte("\ufeff"))
	_, _ = w.Write(buf.Bytes())
}

func callCSVRecord(l *i18n.Localizer, c callRow) []string {
	tm := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(l.Zone()).Format(time.DateTime)
	}
	word := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		if k := prefix + v; l.Has(k) {
			return l.T(k, nil)
		}
		return v
	}
	sec := func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }
	transfers := make([]string, 0, len(c.Transfers))
	for _, t := range c.Transfers {
		transfers = append(transfers, c.Name(t.From)+" → "+c.Name(t.To))
	}
	return []string{tm(&c.StartedAt), word("js.direction.", string(c.Direction)), word("js.outcome.", string(c.Outcome)),
		csvCell(c.Caller), csvCell(c.Callee), csvCell(c.ClientName), csvCell(c.AgentName()), csvCell(c.AgentNames()),
		tm(c.AnsweredAt), tm(c.EndedAt), sec(c.WaitSeconds), sec(c.RingSeconds), sec(c.TalkSeconds), sec(c.HoldSeconds),
		partyText(l, c.HangupBy), csvCell(strings.Join(transfers, "; ")), strconv.FormatInt(c.ID, 10)}
}

// csvCell keeps a spreadsheet from reading a value as a formula (a number
// like +74951234567 stays as it is).
func csvCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if len(v) == 1 || v[1] < '0' || v[1] > '9' {
			return "'" + v
		}
	}
	return v
}
