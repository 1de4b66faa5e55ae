package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/internal/i18n"
	"hotline/telephony"
)

// CallPageDeps are what the call-log pages need.
type CallPageDeps struct {
	Calls telephony.CallLog
}

// callPages serves the call log: the filtered list, one call with its
// legs, transfers and timeline, and the list as CSV.
type callPages struct {
	p   *Pages
	log telephony.CallLog
}

// callPageSize is how many calls one page of the list shows.
const callPageSize = 50

// MountCalls adds the call log pages (/calls, /calls/{id}, /calls.csv and
// /calls/linked/{linkedid}, which finds a call by its Asterisk linkedid) and
// the nav link. Agents see the calls they rang or talked in; supervisors
// and admins see every call.
func (p *Pages) MountCalls(deps CallPageDeps) {
	cp := &callPages{p: p, log: deps.Calls}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/calls", cp.list)
		r.Get("/calls.csv", cp.csv)
		r.Get("/calls/linked/{linkedid}", cp.linked)
		r.Get("/calls/{id}", cp.show)
	})
	p.mu.Lock()
	p.calls = true
	p.mu.Unlock()
	p.AddNav(NavItem{Label: "pages.nav.calls", Path: "/calls"})
}

// hasCalls reports whether the call log is mounted (cards and requests link to it).
func (p *Pages) hasCalls() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.calls
}

// callQuery is the call log's filter as the form gives it.
type callQuery struct {
	From, To  string // local days, YYYY-MM-DD, both included
	Direction string
	Outcome   string // an outcome, or "missed" (any unanswered)
	Agent     string
	Q         string // a number or a client's name
	Client    int64  // a client picked from the card or from the matches of Q
}

// callQueryOf reads the form; unknown values are dropped, not trusted.
func callQueryOf(v url.Values) callQuery {
	q := callQuery{From: v.Get("from"), To: v.Get("to"), Direction: v.Get("direction"), Outcome: v.Get("outcome"),
		Agent: truncateRunes(strings.TrimSpace(v.Get("agent")), 64), Q: truncateRunes(strings.TrimSpace(v.Get("q")), 100)}
	q.Client, _ = strconv.ParseInt(v.Get("client"), 10, 64)
	switch telephony.Direction(q.Direction) {
	case telephony.Inbound, telephony.Outbound, telephony.Internal:
	default:
		q.Direction = ""
	}
	switch telephony.Outcome(q.Outcome) {
	case telephony.OutcomeAnswered, telephony.OutcomeNoAnswer, telephony.OutcomeBusy, telephony.OutcomeFailed, telephony.OutcomeAbandoned:
	default:
		if q.Outcome != "missed" {
			q.Outcome = ""
		}
	}
	return q
}

// Values is the query string that repeats the filter (for links and the CSV).
func (q callQuery) Values() template.URL { return template.URL(q.encode()) }

// WithClient is the query string of the filter for one client instead of Q.
func (q callQuery) WithClient(id int64) template.URL {
	q.Q, q.Client = "", id
	return template.URL(q.encode())
}

// NoClient is the query string of the filter without its client.
func (q callQuery) NoClient() template.URL {
	q.Client = 0
	return template.URL(q.encode())
}

func (q callQuery) encode() string {
	v := url.Values{}
	for k, s := range map[string]string{"from": q.From, "to": q.To, "direction": q.Direction, "outcome": q.Outcome, "agent": q.Agent, "q": q.Q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Client > 0 {
		v.Set("client", strconv.FormatInt(q.Client, 10))
	}
	return v.Encode()
}

// isAgent reports whether the signed-in user is an agent (who sees only
// their own calls).
func isAgent(r *http.Request) bool {
	return crm.UserFromContext(r.Context()).Role == crm.RoleAgent
}

// filter turns the form into a call filter in the centre's zone. An agent
// is held to their own calls; asking for another agent's is forbidden.
func (cp *callPages) filter(r *http.Request, q callQuery) (telephony.CallFilter, error) {
	l := loc(r)
	f := telephony.CallFilter{Direction: telephony.Direction(q.Direction), Agent: q.Agent, ClientID: q.Client}
	if q.Outcome == "missed" {
		f.Missed = true
	} else {
		f.Outcome = telephony.Outcome(q.Outcome)
	}
	var err error
	if f.From, err = localDay(q.From, l.Zone()); err != nil {
		return f, crm.Errorf(crm.KindInvalid, "%s", l.T("pages.calls.bad_from", nil))
	}
	if f.To, err = localDay(q.To, l.Zone()); err != nil {
		return f, crm.Errorf(crm.KindInvalid, "%s", l.T("pages.calls.bad_to", nil))
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the last day is included
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return f, crm.Errorf(crm.KindInvalid, "%s", l.T("pages.calls.bad_period", nil))
	}
	if q.Q != "" && isPhoneLike(q.Q) {
		f.Number, _ = cp.p.api.Phone().Lookup(q.Q)
	}
	if pr := crm.UserFromContext(r.Context()); pr.Role == crm.RoleAgent {
		if f.Agent != "" && f.Agent != pr.Login {
			return f, crm.Errorf(crm.KindForbidden, "agents see only their own calls")
		}
		f.Agent = pr.Login
	}
	return f, nil
}

// localDay is the start of a YYYY-MM-DD day in zone; "" is no bound.
func localDay(s string, zone *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(time.DateOnly, s, zone)
}

// isPhoneLike reports whether s reads as a number (digits and dialling
// punctuation only) rather than a name.
func isPhoneLike(s string) bool {
	digits := 0
	for _, c := range s {
		switch {
		case unicode.IsDigit(c):
			digits++
		case strings.ContainsRune("+-() .", c):
		default:
			return false
		}
	}
	return digits > 0
}

// callRow is one call of the list, with its client's name.
type callRow struct {
	telephony.Call
	ClientName string
	names      map[string]string // agents' names by login
}

// AgentName is the name of the agent who talked last (else the first who rang).
func (c callRow) AgentName() string {
	if c.Agent != "" {
		return c.Name(c.Agent)
	}
	if len(c.Agents) > 0 {
		return c.Name(c.Agents[0])
	}
	return ""
}

// AgentNames are the names of every agent who rang or talked.
func (c callRow) AgentNames() string {
	out := make([]string, len(c.Agents))
	for i, a := range c.Agents {
		out[i] = c.Name(a)
	}
	return strings.Join(out, ", ")
}

// Name is a user's name by login (the login when unknown).
func (c callRow) Name(login string) string {
	if n := c.names[login]; n != "" {
		return n
	}
	return login
}

// Wait, Talk and Hold are the durations as m:ss.
func (c callRow) Talk() string { return clockDuration(c.TalkSeconds) }

// Wait is the time the caller waited for an answer, as m:ss.
func (c callRow) Wait() string { return clockDuration(c.WaitSeconds) }

// Hold is the time on hold, as m:ss.
func (c callRow) Hold() string { return clockDuration(c.HoldSeconds) }

// Missed reports an ended call nobody answered.
func (c callRow) Missed() bool {
	return c.Ended() && c.Outcome != telephony.OutcomeAnswered
}

// clockDuration is seconds as m:ss (h:mm:ss from an hour).
func clockDuration(sec float64) string {
	d := time.Duration(sec+0.5) * time.Second
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return strconv.Itoa(h) + ":" + twoDigits(m) + ":" + twoDigits(s)
	}
	return strconv.Itoa(m) + ":" + twoDigits(s)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

type callListData struct {
	Query      callQuery
	Items      []callRow
	Next       string
	Agents     []crm.User   // for supervisors: the agent filter
	ClientName string       // the client filtered by
	Matches    []crm.Client // clients whose names match Q, to pick one
	NoMatch    bool         // Q names no client
	IsAgent    bool
}

func (cp *callPages) list(w http.ResponseWriter, r *http.Request) {
	d := callListData{Query: callQueryOf(r.URL.Query()), IsAgent: isAgent(r)}
	f, err := cp.filter(r, d.Query)
	if err == nil {
		err = cp.pickClient(r, &d, &f)
	}
	if err == nil && !d.IsAgent {
		d.Agents, err = cp.agents(r.Context())
	}
	if err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			cp.p.render(w, r, http.StatusUnprocessableEntity, "calls", "pages.calls.title",
				view{Active: "/calls", Data: d, Error: err.(*crm.Error).Message})
			return
		}
		cp.p.errorPage(w, r, err)
		return
	}
	if len(d.Matches) == 0 && !d.NoMatch {
		f.After, f.Limit = r.URL.Query().Get("after"), callPageSize
		page, err := cp.log.ListCalls(r.Context(), f)
		if err != nil {
			cp.p.errorPage(w, r, err)
			return
		}
		d.Next = page.Next
		if d.Items, err = cp.withClients(r.Context(), page.Items); err != nil {
			cp.p.errorPage(w, r, err)
			return
		}
	}
	cp.p.render(w, r, http.StatusOK, "calls", "pages.calls.title", view{Active: "/calls", Data: &d})
}

// pickClient resolves the client of the filter: the one given, or the one
// whose name (or company) matches Q. Several matches are listed to choose
// from; none means no calls.
func (cp *callPages) pickClient(r *http.Request, d *callListData, f *telephony.CallFilter) error {
	if d.Query.Client > 0 {
		c, err := cp.p.clients.Clients.GetClient(r.Context(), d.Query.Client)
		if err != nil {
			return err
		}
		d.ClientName = c.Name
		return nil
	}
	if d.Query.Q == "" || isPhoneLike(d.Query.Q) {
		return nil
	}
	page, err := cp.p.clients.Clients.ListClients(r.Context(), crm.ClientFilter{Query: d.Query.Q, Limit: 20})
	if err != nil {
		return err
	}
	switch len(page.Items) {
	case 0:
		d.NoMatch = true
	case 1:
		f.ClientID, d.ClientName = page.Items[0].ID, page.Items[0].Name
	default:
		d.Matches = page.Items
	}
	return nil
}

// agents lists the agents a supervisor may filter by.
func (cp *callPages) agents(ctx context.Context) ([]crm.User, error) {
	users, err := cp.p.users.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var out []crm.User
	for _, u := range users {
		if u.Role == crm.RoleAgent {
			out = append(out, u)
		}
	}
	return out, nil
}

// withClients adds each call's client name (one read per client shown)
// and its agents' names.
func (cp *callPages) withClients(ctx context.Context, calls []telephony.Call) ([]callRow, error) {
	users, err := cp.p.users.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	agents := make(map[string]string, len(users))
	for _, u := range users {
		agents[u.Login] = u.Name
	}
	names := map[int64]string{}
	rows := make([]callRow, len(calls))
	for i, c := range calls {
		rows[i].Call, rows[i].names = c, agents
		if c.ClientID == nil {
			continue
		}
		name, ok := names[*c.ClientID]
		if !ok {
			cl, err := cp.p.clients.Clients.GetClient(ctx, *c.ClientID)
			if err != nil && !crm.IsKind(err, crm.KindNotFound) {
				return nil, err
			}
			name, names[*c.ClientID] = cl.Name, cl.Name
		}
		rows[i].ClientName = name
	}
	return rows, nil
}

type callData struct {
	Call     callRow
	Timeline []timelineRow
}

// timelineRow is one step of a call with its time to the second in the
// centre's zone (steps are seconds apart).
type timelineRow struct {
	telephony.TimelineEntry
	Clock string
}

// visibleCall is the call when the user may see it: an agent only a call
// they rang or talked in (any other is "not found", as if absent).
func (cp *callPages) visibleCall(r *http.Request, id int64) (telephony.Call, []telephony.TimelineEntry, error) {
	c, tl, err := cp.log.GetCall(r.Context(), id)
	if err != nil {
		return c, nil, err
	}
	if pr := crm.UserFromContext(r.Context()); pr.Role == crm.RoleAgent && !containsString(c.Agents, pr.Login) {
		return telephony.Call{}, nil, crm.Errorf(crm.KindNotFound, "no call with id %d", id)
	}
	return c, tl, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (cp *callPages) show(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		cp.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such call"))
		return
	}
	c, tl, err := cp.visibleCall(r, id)
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	rows, err := cp.withClients(r.Context(), []telephony.Call{c})
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	d := callData{Call: rows[0]}
	zone := loc(r).Zone()
	for _, e := range tl {
		d.Timeline = append(d.Timeline, timelineRow{TimelineEntry: e, Clock: e.At.In(zone).Format("15:04:05.000")})
	}
	cp.p.render(w, r, http.StatusOK, "call", "pages.call.title", view{Active: "/calls", Data: &d})
}

// linked opens the call with an Asterisk linkedid (as requests keep them).
func (cp *callPages) linked(w http.ResponseWriter, r *http.Request) {
	linkedID := chi.URLParam(r, "linkedid")
	if linkedID == "" || len(linkedID) > 200 {
		cp.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such call"))
		return
	}
	f := telephony.CallFilter{LinkedID: linkedID, Limit: 1}
	if isAgent(r) {
		f.Agent = crm.UserFromContext(r.Context()).Login
	}
	page, err := cp.log.ListCalls(r.Context(), f)
	if err == nil && len(page.Items) == 0 {
		err = crm.Errorf(crm.KindNotFound, "no call %s", linkedID)
	}
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/calls/"+strconv.FormatInt(page.Items[0].ID, 10), http.StatusSeeOther)
}

// partyText says who ended a call in the reader's language.
func partyText(l *i18n.Localizer, p telephony.Party) string {
	if p == "" {
		return ""
	}
	return l.T("pages.calls.party."+string(p), nil)
}
