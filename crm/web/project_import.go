package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// maxMSPDI caps an uploaded Microsoft Project file.
const maxMSPDI = 8 << 20

// importMSPDI takes task dates from an uploaded Microsoft Project XML file
// (supervisors and admins) and shows the project again: how many tasks
// changed, and any dependency the new dates break.
func (pp *planPages) importMSPDI(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		pp.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such project"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxMSPDI+maxFormBytes)
	if err := r.ParseMultipartForm(maxMSPDI); err != nil {
		http.Error(w, loc(r).T("res.project.upload_bad", map[string]any{"Max": maxMSPDI >> 20}), http.StatusRequestEntityTooLarge)
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("file")
	if err != nil {
		pp.p.errorPage(w, r, crm.Invalid("file", "choose a file"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(f, maxMSPDI))
	f.Close()
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	dates, err := resource.ImportMSPDI(bytes.NewReader(body), maxMSPDI)
	var n int
	if err == nil {
		n, err = pp.deps.Projects.ApplyTaskDates(r.Context(), id, dates)
	}
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(id, 10)+"?imported="+strconv.Itoa(n), http.StatusSeeOther)
}

func importedFlash(r *http.Request) string {
	n, err := strconv.Atoi(r.URL.Query().Get("imported"))
	if err != nil {
		return ""
	}
	return loc(r).N("res.project.imported", n, nil)
}

func csrfOf(r *http.Request) string { return crm.CSRFFromContext(r.Context()) }

// clientOf is the project's client (nil if none or gone).
func (pp *planPages) clientOf(r *http.Request, p resource.Project) *crm.Client {
	if p.ClientID == nil {
		return nil
	}
	c, err := pp.p.clients.Clients.GetClient(r.Context(), *p.ClientID)
	if err != nil {
		return nil
	}
	return &c
}

// clientProjects lists the client's projects for the card.
func (p *Pages) clientProjects(r *http.Request, clientID int64) []resource.Project {
	p.mu.RLock()
	store := p.projects
	p.mu.RUnlock()
	if store == nil {
		return nil
	}
	list, err := store.ListProjects(r.Context(), clientID)
	if err != nil {
		p.log.WarnContext(r.Context(), "client card without projects", "client", clientID, "err", err)
		return nil
	}
	return list
}
