package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource/doctext"
	dt "hotline/crm/resource/doctext/doctexttest"
)

// pdfChildEnv makes this test binary read one PDF and exit (see TestMain):
// the store reads PDFs in child processes, as hotline serve does.
const pdfChildEnv = "HTTPAPI_TEST_PDF_CHILD=1"

func TestMain(m *testing.M) {
	if os.Getenv("HTTPAPI_TEST_PDF_CHILD") == "1" {
		os.Exit(doctext.ChildMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestDocumentSearchFindsFileBodies uploads PDF and office files through
// the API and finds them by words that occur only inside the files; a
// corrupt PDF is stored all the same, without text, with a warning logged.
func TestDocumentSearchFindsFileBodies(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	pdfs := doctext.NewProcess(doctext.ProcessOptions{Path: os.Args[0], Env: append(os.Environ(), pdfChildEnv)})
	st := pgtest.NewStoreWith(t, postgres.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Text: doctext.New(doctext.Options{PDF: pdfs})})
	e := newEnvOn(t, st)
	httpapi.RegisterDocuments(e.srv, httpapi.DocumentDeps{Documents: e.store.Documents, Clients: e.store.Clients, MaxSize: 0})
	agent := e.login(crm.RoleAgent)

	broken := dt.PDF(t, []string{"обрыв"})
	broken = broken[:len(broken)/2]
	files := []struct {
		title, filename, ctype string
		content                []byte
	}{
		{"Doc one", "pump.pdf", "application/pdf", dt.PDF(t, []string{"Спецификация центробежного насоса"}, []string{"impeller clearance"})},
		{"Doc two", "lease.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", dt.DOCX(t, "Договор аренды склада", "warehouse lease")},
		{"Doc three", "prices.xlsx", "", dt.XLSX(t, []string{"Прайс", "Кабель медный"}, "copper cable")},
		{"Doc four", "memo.odt", "application/vnd.oasis.opendocument.text", dt.ODF(t, "text", "<text:p>Служебная записка о командировке</text:p>")},
		{"Doc five", "broken.pdf", "application/pdf", broken},
	}
	ids := map[string]float64{}
	for _, f := range files {
		resp, body := agent.do("POST", "/api/v1/documents", map[string]any{"title": f.title, "category": "technical",
			"filename": f.filename, "content_type": f.ctype, "content": f.content})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", f.filename, resp.StatusCode, body)
		}
		var d map[string]any
		mustJSON(t, body, &d)
		ids[f.title] = d["id"].(float64)
	}
	// The corrupt file is kept byte for byte.
	resp, body := agent.do("GET", fmt.Sprintf("/api/v1/documents/%v/content", ids["Doc five"]), nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, broken) {
		t.Fatalf("download the corrupt pdf: %d, %d bytes of %d", resp.StatusCode, len(body), len(broken))
	}
	if l := logs.String(); !strings.Contains(l, "document stored without searchable text") || !strings.Contains(l, "broken.pdf") {
		t.Errorf("no warning logged for the corrupt pdf: %s", l)
	}

	for _, q := range []struct {
		query string
		want  []string
	}{
		{"насос", []string{"Doc one"}}, // the word is "насоса" in the file: Russian stemming
		{"impeller", []string{"Doc one"}},
		{"аренда склад", []string{"Doc two"}},
		{"lease", []string{"Doc two"}},
		{"кабель", []string{"Doc three"}},
		{"командировка", []string{"Doc four"}},
		{"обрыв", nil},
		{"doc", []string{"Doc five", "Doc four", "Doc one", "Doc three", "Doc two"}},
	} {
		resp, body := agent.do("GET", "/api/v1/documents?q="+url.QueryEscape(q.query), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("search %q: %d %s", q.query, resp.StatusCode, body)
		}
		var out struct {
			Documents []struct{ Title string } `json:"documents"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range out.Documents {
			got = append(got, d.Title)
		}
		slices.Sort(got)
		if !slices.Equal(got, q.want) {
			t.Errorf("search %q found %v, want %v", q.query, got, q.want)
		}
	}
}
