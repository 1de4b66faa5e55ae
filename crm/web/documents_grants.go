package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/internal/i18n"
)

// grantRow is one principal in the grant editor: a role, a team or a user,
// by name, with the access it has (none, read or write).
type grantRow struct {
	Kind  resource.PrincipalKind
	Who   string // role name, team ID or user ID: the form's key, never typed
	Label string // the team's or user's name ("" for a role: the page names it)
	Extra string // a user's role, shown beside the name
	Level string // "", "read" or "write"
}

// Field is the form field that carries the row's level.
func (g grantRow) Field() string { return "g." + string(g.Kind) + "." + g.Who }

// grantRows lists every role, team and active user with the access chosen
// gives them.
func (dp *documentPages) grantRows(ctx context.Context, r *http.Request, chosen []resource.Grant) ([]grantRow, error) {
	level := map[string]string{}
	for _, g := range chosen {
		l := "read"
		if g.Write {
			l = "write"
		}
		level[string(g.Kind)+"."+g.Who] = l
	}
	var rows []grantRow
	for _, role := range crm.Roles {
		if role == crm.RoleAdmin { // admins always read and write
			continue
		}
		rows = append(rows, grantRow{Kind: resource.GrantRole, Who: string(role), Level: level["role."+string(role)]})
	}
	teams, err := dp.deps.Teams.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		who := strconv.FormatInt(t.ID, 10)
		rows = append(rows, grantRow{Kind: resource.GrantTeam, Who: who, Label: t.Name, Level: level["team."+who]})
	}
	users, err := dp.p.users.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	me := readerFrom(r).UserID
	for _, u := range users {
		if u.Disabled || u.ID == me || u.Role == crm.RoleAdmin {
			continue
		}
		who := strconv.FormatInt(u.ID, 10)
		rows = append(rows, grantRow{Kind: resource.GrantUser, Who: who, Label: displayName(u), Extra: string(u.Role), Level: level["user."+who]})
	}
	return rows, nil
}

// parseGrants reads the grant editor's fields g.<kind>.<who> = read|write.
func parseGrants(form url.Values) ([]resource.Grant, error) {
	var out []resource.Grant
	for key, vals := range form {
		rest, ok := strings.CutPrefix(key, "g.")
		if !ok || len(vals) == 0 || vals[0] == "" {
			continue
		}
		kind, who, ok := strings.Cut(rest, ".")
		if !ok || (vals[0] != "read" && vals[0] != "write") {
			return nil, crm.Invalid("grants", "choose read or write access")
		}
		out = append(out, resource.Grant{Kind: resource.PrincipalKind(kind), Who: who, Write: vals[0] == "write"})
		if len(out) > 100 {
			return nil, crm.Invalid("grants", "at most 100")
		}
	}
	return out, resource.ValidateGrants(out)
}

var (
	errNoFile       = crm.Invalid("files", "choose a file")
	errTooManyFiles = crm.Invalid("files", "at most %d files at once", maxUploadFiles)
	errNoDocument   = crm.Errorf(crm.KindNotFound, "no such document")
)

// docErrorKeys are the library's domain messages in the catalogue.
var docErrorKeys = map[string]string{
	"is required (at most 300 characters)":                 "res.err.title",
	"must be commercial, technical, template or marketing": "res.err.category",
	"%q: letters, digits, '_' or '-', at most 32":          "res.err.tag",
	"at most 20": "res.err.tags",
	"is required, at most 255 characters, without slashes": "res.err.filename",
	"is empty":                     "res.err.empty",
	"is %d bytes; the limit is %d": "res.err.size",
	"type %s is not accepted (text, HTML, PDF, PNG, JPEG, office documents)": "res.err.type",
	"declared %s but the content is %s":                                      "res.err.declared",
	"choose a file":                                                          "res.err.no_file",
	"at most %d files at once":                                               "res.err.too_many",
	"choose read or write access":                                            "res.err.grant",
	"at most 100":                                                            "res.err.grants",
	"is not a valid INN (10 or 12 digits with check digits)":                 "res.err.inn",
	"is not a valid KPP (9 characters: 4 digits, 2 digits or letters, 3 digits)": "res.err.kpp",
	"an individual (12-digit INN) has no KPP":                                    "res.err.kpp_individual",
	"is not a valid OGRN (13 digits) or OGRNIP (15 digits) with check digit":     "res.err.ogrn",
	"is not a valid BIK (9 digits starting with 04)":                             "res.err.bik",
	"is required with an account":                                                "res.err.bik_required",
	"does not match the BIK (20 digits with a check digit)":                      "res.err.account",
	"does not match the BIK (20 digits starting with 301)":                       "res.err.corr_account",
	"choose a client from the list":                                              "res.fill.no_client",
	"write the amount in roubles, e.g. 1 234,56":                                 "web.err.amount",
	"template: %s: %v": "res.err.template",
	"template: a placeholder %q is not closed with }}": "res.err.template_unclosed",
	"the template is not a DOCX package: %v":           "res.err.not_docx",
	"filling the template took too long":               "res.err.fill_slow",
	"say why the deal was lost":                        "res.err.lost_reason",
	"the deal is already in this stage":                "res.err.already_in_stage",
	"the deal is %s; reopen it before moving it":       "res.err.reopen",
	"only %d of %d free to reserve across warehouses":  "res.err.short_across",
	"only %d of %d free to reserve":                    "res.err.short",
	"write the rate like 92,5 (at most six decimals)":  "res.err.rate",
	"the base currency needs no rate":                  "res.err.base_rate",
	"must be at most %d characters":                    "res.err.max_chars",
	"is required (at most 200 characters)":             "res.err.name200",
	"must be a date YYYY-MM-DD":                        "res.err.date",
	"must be 0-3650 working days":                      "res.err.duration",
	"task %d is not a task of this project":            "res.err.not_task",
	"task %s is not a task of this project":            "res.err.not_task",
	"must be user, material or equipment":              "res.err.kind",
	"a project has at most 2000 tasks":                 "res.err.max_tasks",
	"a project has at most %d resources":               "res.err.max_resources",
	"choose a deal from the list":                      "res.err.no_deal",
	"the deal is another client's":                     "res.err.deal_client",
	"choose a project of the request's client":         "res.err.ticket_project",
}

// resErrorText says an error of the resource pages (the library, a
// client's requisites) in the reader's language; others as errorText.
func resErrorText(l *i18n.Localizer, err error) string {
	var e *crm.Error
	if !errors.As(err, &e) {
		return errorText(l, err)
	}
	key, ok := docErrorKeys[e.Format]
	if !ok || (e.Field != "" && !l.Has("res.field."+e.Field)) {
		return errorText(l, err)
	}
	msg := l.T(key, map[string]any{"A": e.Args})
	if e.Field == "" {
		return msg
	}
	return l.T("res.err.field", map[string]any{"Field": l.T("res.field."+e.Field, nil), "Message": msg})
}

// byteSize is a file's size, shown in bytes, KiB or MiB.
type byteSize int64

// Unit is the catalogue key of the size's unit.
func (b byteSize) Unit() string {
	switch {
	case b < 1<<10:
		return "res.size.b"
	case b < 1<<20:
		return "res.size.kib"
	}
	return "res.size.mib"
}

// Tenths is the size in tenths of its unit (bytes are whole: Scale 0).
func (b byteSize) Tenths() int64 {
	switch {
	case b < 1<<10:
		return int64(b)
	case b < 1<<20:
		return int64(b) * 10 / (1 << 10)
	}
	return int64(b) * 10 / (1 << 20)
}

// Scale is the number of decimals Tenths carries.
func (b byteSize) Scale() int {
	if b < 1<<10 {
		return 0
	}
	return 1
}
