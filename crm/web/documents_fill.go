package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/internal/i18n"
)

// fill downloads a template document filled for the client picked on the
// document's page, with the sum typed there (in roubles) if any. A
// template the reader may not read is not found; a bad form shows the
// document again with what is wrong.
func (dp *documentPages) fill(w http.ResponseWriter, r *http.Request) {
	id, ok := docID(r)
	if !ok {
		dp.p.errorPage(w, r, errNoDocument)
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	u, err := dp.deps.Documents.DocumentContent(ctx, readerFrom(r), id, 0)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	clientID, perr := strconv.ParseInt(q.Get("client_id"), 10, 64)
	if perr != nil || clientID <= 0 {
		dp.formFailed(w, r, crm.Invalid("client_id", "choose a client from the list"))
		return
	}
	var sum *int64
	if a := strings.TrimSpace(q.Get("amount")); a != "" {
		v, err := i18n.ParseMoney(a, "RUB")
		if err != nil {
			dp.formFailed(w, r, crm.Invalid("amount", "write the amount in roubles, e.g. 1 234,56"))
			return
		}
		sum = &v
	}
	c, err := dp.p.clients.Clients.GetClient(ctx, clientID)
	if err != nil {
		dp.formFailed(w, r, err)
		return
	}
	me := crm.UserFromContext(ctx)
	data := resource.NewTemplateData(c, crm.User{ID: me.ID, Name: me.Name, Login: me.Login}, dp.deps.Now().In(loc(r).Zone()), sum)
	out, err := resource.Fill(ctx, u, data, dp.maxSize)
	if err != nil {
		dp.formFailed(w, r, err)
		return
	}
	u.Content = out
	sendFile(w, u)
}

// sendFile sends a stored file as an attachment, sandboxed, never sniffed.
func sendFile(w http.ResponseWriter, u resource.Upload) {
	h := w.Header()
	h.Set("Content-Type", u.Type)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(u.Filename))
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(u.Content)
}
