package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"

	"hotline/internal/i18n"
)

// maxCSVHeader bounds how much of a CSV response is held to find its
// header line; a longer first line passes unchanged.
const maxCSVHeader = 16 << 10

// csvHeaders names the columns of a CSV download in the reader's language
// when a person fetches it from the pages (a session): column "started_at"
// becomes the catalogue's "i18n2.csv.started_at". A bearer token (an
// integrator's script) gets the stable English identifiers unchanged.
func (s *Server) csvHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		l := i18n.FromContext(r.Context())
		if p == nil || p.Method != MethodSession || l == nil || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		cw := &csvHeaderWriter{ResponseWriter: w, l: l}
		next.ServeHTTP(cw, r)
		cw.flush()
	})
}

// csvHeaderWriter holds a CSV response's first line, renames its columns
// and passes everything else through.
type csvHeaderWriter struct {
	http.ResponseWriter
	l       *i18n.Localizer
	decided bool // whether WriteHeader has run
	holding bool // a CSV whose header line is not yet complete
	buf     bytes.Buffer
}

func (c *csvHeaderWriter) WriteHeader(status int) {
	if c.decided {
		return
	}
	c.decided = true
	ct := c.Header().Get("Content-Type")
	if status == http.StatusOK && strings.HasPrefix(ct, "text/csv") {
		c.holding = true
		c.Header().Del("Content-Length") // the renamed header changes it
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *csvHeaderWriter) Write(b []byte) (int, error) {
	if !c.decided {
		c.WriteHeader(http.StatusOK)
	}
	if !c.holding {
		return c.ResponseWriter.Write(b)
	}
	c.buf.Write(b)
	i := bytes.IndexByte(c.buf.Bytes(), '\n')
	if i < 0 && c.buf.Len() < maxCSVHeader {
		return len(b), nil
	}
	if err := c.release(i); err != nil {
		return 0, err
	}
	return len(b), nil
}

// release writes the held bytes, the first line (up to end) renamed.
func (c *csvHeaderWriter) release(end int) error {
	c.holding = false
	held := c.buf.Bytes()
	if end >= 0 {
		if line, ok := c.rename(held[:end+1]); ok {
			if _, err := c.ResponseWriter.Write(line); err != nil {
				return err
			}
			held = held[end+1:]
		}
	}
	_, err := c.ResponseWriter.Write(held)
	c.buf.Reset()
	return err
}

// rename returns the header line with each known column in the reader's words.
func (c *csvHeaderWriter) rename(line []byte) ([]byte, bool) {
	cols, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return nil, false
	}
	for i, col := range cols {
		if key := "i18n2.csv." + col; c.l.Has(key) {
			cols[i] = c.l.T(key, nil)
		}
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.Write(cols)
	w.Flush()
	return out.Bytes(), w.Error() == nil
}

// flush passes on a CSV that ended before its header line did.
func (c *csvHeaderWriter) flush() {
	if c.holding {
		_ = c.release(bytes.IndexByte(c.buf.Bytes(), '\n'))
	}
}

// Flush lets streamed responses through (http.Flusher).
func (c *csvHeaderWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok && !c.holding {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer (WebSockets).
func (c *csvHeaderWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
