package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
)

// clientForm is the new/edit client form as posted (strings, to show back).
type clientForm struct {
	Kind, Name, Company, Priority, Owner, Tags, Notes, Phone, Email, Language string
	Field                                                                     string // the field an error is about
	Legal                                                                     crm.Requisites
}

type clientFormData struct {
	ID      int64 // 0 for a new client
	Form    clientForm
	Classes []crm.PriorityClass
	Owners  []crm.User
}

func formOf(c crm.Client) clientForm {
	f := clientForm{Kind: string(c.Kind), Name: c.Name, Company: c.Company,
		Tags: strings.Join(c.Tags, ", "), Notes: c.Notes, Language: c.Language, Legal: c.Legal}
	if c.PriorityManual {
		f.Priority = c.Priority // otherwise "automatic, by the rules"
	}
	if c.OwnerID != nil {
		f.Owner = strconv.FormatInt(*c.OwnerID, 10)
	}
	return f
}

func formFromRequest(r *http.Request) clientForm {
	v := r.PostFormValue
	return clientForm{Kind: v("kind"), Name: v("name"), Company: v("company"), Priority: v("priority"), Owner: v("owner"),
		Tags: v("tags"), Notes: v("notes"), Phone: v("phone"), Email: v("email"), Language: v("language"),
		Legal: requisitesFromRequest(r)}
}

// apply copies the form's own fields onto c.
func (f clientForm) apply(c *crm.Client) error {
	c.Kind, c.Name, c.Company = crm.ClientKind(f.Kind), f.Name, strings.TrimSpace(f.Company)
	c.Priority, c.Notes, c.Tags, c.OwnerID, c.Language = f.Priority, f.Notes, splitTags(f.Tags), nil, f.Language
	c.Legal = f.Legal
	if f.Owner != "" {
		id, err := strconv.ParseInt(f.Owner, 10, 64)
		if err != nil {
			return crm.Invalid("owner_id", "choose an owner from the list")
		}
		c.OwnerID = &id
	}
	return nil
}

// renderForm shows the client form, with err (a failed save) when not nil.
func (p *Pages) renderForm(w http.ResponseWriter, r *http.Request, d clientFormData, err error) {
	var e error
	if d.Classes, e = p.priorityClasses(r.Context()); e == nil {
		seededClasses(loc(r), d.Classes)
		d.Owners, e = p.users.ListUsers(r.Context())
	}
	if e != nil {
		p.errorPage(w, r, e)
		return
	}
	title, status, v := "web.clientform.title_new", http.StatusOK, view{Active: "/clients"}
	if d.ID != 0 {
		v.Title = loc(r).T("web.clientform.title_edit", map[string]any{"Name": d.Form.Name})
	}
	if err != nil {
		status, v.Error, d.Form.Field = http.StatusUnprocessableEntity, resErrorText(loc(r), err), fieldOf(err)
	}
	v.Data = d
	p.render(w, r, status, "client_form", title, v)
}

func (p *Pages) newClientPage(w http.ResponseWriter, r *http.Request) {
	form := clientForm{Kind: "person", Name: r.URL.Query().Get("name"), Phone: r.URL.Query().Get("phone")}
	p.renderForm(w, r, clientFormData{Form: form}, nil)
}

func (p *Pages) createClient(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := formFromRequest(r)
	var c crm.Client
	err := f.apply(&c)
	if err == nil {
		err = p.formContacts(&c, f)
	}
	if err == nil {
		err = p.clients.Clients.CreateClient(r.Context(), &c)
	}
	if err != nil {
		if !crm.IsKind(err, crm.KindInvalid) && !crm.IsKind(err, crm.KindConflict) {
			p.errorPage(w, r, err)
			return
		}
		p.renderForm(w, r, clientFormData{Form: f}, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// formContacts turns the form's phone and email into normalised contacts.
func (p *Pages) formContacts(c *crm.Client, f clientForm) error {
	for _, in := range []struct {
		kind  crm.ContactKind
		value string
	}{{crm.ContactPhone, f.Phone}, {crm.ContactEmail, f.Email}} {
		if strings.TrimSpace(in.value) == "" {
			continue
		}
		ct := crm.Contact{Kind: in.kind, Value: in.value}
		if err := p.clients.Phone.NormalizeContact(&ct); err != nil {
			return crm.Invalid(string(in.kind), "%s", err.(*crm.Error).Message)
		}
		c.Contacts = append(c.Contacts, ct)
	}
	return nil
}

func (p *Pages) editClientPage(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	c, err := p.clients.Clients.GetClient(r.Context(), id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	p.renderForm(w, r, clientFormData{ID: c.ID, Form: formOf(c)}, nil)
}

func (p *Pages) updateClient(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	c, err := p.clients.Clients.GetClient(r.Context(), id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	f := formFromRequest(r)
	if err = f.apply(&c); err == nil {
		err = p.clients.Clients.UpdateClient(r.Context(), &c)
	}
	if svc := p.clients.Priority; err == nil && svc != nil {
		// "Automatic" hands the client back to the rules; a class is kept by hand.
		_, err = svc.SetClientPriority(r.Context(), id, f.Priority, f.Priority != "")
	}
	if err != nil {
		if !crm.IsKind(err, crm.KindInvalid) && !crm.IsKind(err, crm.KindConflict) {
			p.errorPage(w, r, err)
			return
		}
		p.renderForm(w, r, clientFormData{ID: id, Form: f}, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// requisitesFromRequest reads the client form's legal details.
func requisitesFromRequest(r *http.Request) crm.Requisites {
	v := r.PostFormValue
	return crm.Requisites{INN: v("inn"), KPP: v("kpp"), OGRN: v("ogrn"), LegalAddress: v("legal_address"),
		PostalAddress: v("postal_address"), BankName: v("bank_name"), BIK: v("bik"), Account: v("account"), CorrAccount: v("corr_account")}
}
