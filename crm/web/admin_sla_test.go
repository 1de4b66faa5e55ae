package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// plan is the site's only plan, the seeded default.
func (a *adminSite) plan(t *testing.T) service.SLAPlan {
	t.Helper()
	plans, err := a.store.SLA.ListSLAPlans(context.Background())
	if err != nil || len(plans) == 0 {
		t.Fatalf("seeded plans: %v, %v", plans, err)
	}
	return plans[0]
}

// planValues is p as someone would type it into the plan form: hours as
// HH:MM-HH:MM or "closed", targets in minutes, one holiday per line.
func planValues(p service.SLAPlan) url.Values {
	v := url.Values{"name": {p.Name}, "zone": {"other"}, "zone_other": {p.TimeZone},
		"holidays": {strings.Join(p.Holidays, "\n")}, "level_rows": {strconv.Itoa(len(p.Levels))}}
	for i, key := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		var parts []string
		for _, s := range p.Hours[i] {
			parts = append(parts, fmt.Sprintf("%02d:%02d-%02d:%02d", s.From/60, s.From%60, s.To/60, s.To%60))
		}
		if len(parts) == 0 {
			parts = []string{"closed"}
		}
		v.Set("hours_"+key, strings.Join(parts, ","))
	}
	for pr, tg := range p.Targets {
		v.Set("response_"+string(pr), strconv.Itoa(tg.ResponseMinutes))
		v.Set("resolution_"+string(pr), strconv.Itoa(tg.ResolutionMinutes))
	}
	for i, l := range p.Levels {
		k := fmt.Sprintf("level_%d_", i)
		v.Set(k+"level", strconv.Itoa(l.Level))
		v.Set(k+"clock", string(l.Clock))
		v.Set(k+"percent", strconv.Itoa(l.Percent))
		for name, on := range map[string]bool{"notify": l.Notify, "reassign": l.ReassignToLead, "raise": l.RaisePriority} {
			if on {
				v.Set(k+name, "1")
			}
		}
	}
	if p.Default {
		v.Set("default", "1")
	}
	return v
}

var (
	formInputRe    = regexp.MustCompile(`<input ([^>]*)>`)
	formAttrRe     = regexp.MustCompile(`(\w+)(?:="([^"]*)")?`)
	formSelectRe   = regexp.MustCompile(`(?s)<select name="([^"]+)"[^>]*>(.*?)</select>`)
	formSelectedRe = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	formTextareaRe = regexp.MustCompile(`(?s)<textarea name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// formValues is what a browser would post from the page's plan form as
// shown: text inputs, ticked checkboxes, selected options, textareas.
func formValues(t *testing.T, page string) url.Values {
	t.Helper()
	start := strings.Index(page, `id="plan-form"`)
	end := strings.Index(page[max(start, 0):], "</form>")
	if start < 0 || end < 0 {
		t.Fatalf("no plan form on the page: %s", page)
	}
	form := page[start : start+end]
	v := url.Values{}
	for _, m := range formInputRe.FindAllStringSubmatch(form, -1) {
		attrs := map[string]string{}
		for _, a := range formAttrRe.FindAllStringSubmatch(m[1], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		if attrs["name"] == "" || (attrs["type"] == "checkbox" && !strings.Contains(m[1], " checked")) {
			continue
		}
		v.Add(attrs["name"], attrs["value"])
	}
	for _, m := range formSelectRe.FindAllStringSubmatch(form, -1) {
		if s := formSelectedRe.FindStringSubmatch(m[2]); s != nil {
			v.Set(m[1], html.UnescapeString(s[1]))
		} else if s := regexp.MustCompile(`<option value="([^"]*)"`).FindStringSubmatch(m[2]); s != nil {
			v.Set(m[1], html.UnescapeString(s[1])) // the first option, as a browser would
		}
	}
	for _, m := range formTextareaRe.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// apiPlans are the plans as GET /api/v1/sla-plans returns them, by name.
func (b *browser) apiPlans(t *testing.T) map[string]httpapi.PlanJSON {
	t.Helper()
	resp, body := b.get("/api/v1/sla-plans")
	var out struct{ Plans []httpapi.PlanJSON }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
		t.Fatalf("GET /api/v1/sla-plans: %d %s", resp.StatusCode, body)
	}
	byName := map[string]httpapi.PlanJSON{}
	for _, p := range out.Plans {
		byName[p.Name] = p
	}
	return byName
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSLAPlanFormRoundTrip: a plan typed into the form, with every kind of
// value (a break in the day, closed days, a zone not in the list, holidays,
// targets as 45m, 4h, 1d 2h and plain minutes, escalation levels), reads
// back from the API as typed; its edit form, posted unchanged, leaves it
// equal; it then takes the default flag from the seeded plan.
func TestSLAPlanFormRoundTrip(t *testing.T) {
	t.Parallel()
	a := newAdminSiteWith(t, true)
	b := a.browser()
	csrf := b.login("admin")
	form := url.Values{"csrf_token": {csrf}, "name": {"Premium <24/7> & more"}, "zone": {"other"}, "zone_other": {"Asia/Chita"},
		"hours_mon": {"08:00-13:00, 14:00-20:00"}, "hours_tue": {"08:00-20:00"}, "hours_wed": {"08:00-20:00"},
		"hours_thu": {"08:00-20:00"}, "hours_fri": {"08:00-17:30"}, "hours_sat": {"closed"}, "hours_sun": {""},
		"holidays":          {"2026-05-09\n\n 2026-01-01 \n2026-05-09"},
		"response_critical": {"15m"}, "resolution_critical": {"4h"}, "response_high": {"1h30m"}, "resolution_high": {"1d 2h"},
		"response_normal": {"240"}, "resolution_normal": {"2d"}, "response_low": {"8H"}, "resolution_low": {"5d"},
		"level_rows": {"4"}, "level_0_level": {"1"}, "level_0_clock": {"response"}, "level_0_percent": {"75%"}, "level_0_notify": {"1"},
		"level_1_level": {"2"}, "level_1_clock": {"resolution"}, "level_1_percent": {"100"}, "level_1_reassign": {"1"}, "level_1_raise": {"1"},
		"level_2_level": {"3"}, "level_2_clock": {"resolution"}, "level_2_percent": {"150"}, "level_2_remove": {"1"},
		"level_3_level": {""}, "level_3_percent": {""}}
	resp, body := b.post("/admin/sla-plans", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/sla-plans?done=created#plan-") {
		t.Fatalf("create plan: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	got := b.apiPlans(t)["Premium <24/7> & more"]
	want := httpapi.PlanJSON{ID: got.ID, Name: "Premium <24/7> & more", TimeZone: "Asia/Chita",
		Hours: map[string]string{"mon": "08:00-13:00,14:00-20:00", "tue": "08:00-20:00", "wed": "08:00-20:00", "thu": "08:00-20:00",
			"fri": "08:00-17:30", "sat": "", "sun": ""},
		Holidays: []string{"2026-01-01", "2026-05-09"},
		Targets: map[string]service.Target{"critical": {ResponseMinutes: 15, ResolutionMinutes: 240},
			"high": {ResponseMinutes: 90, ResolutionMinutes: 26 * 60}, "normal": {ResponseMinutes: 240, ResolutionMinutes: 2 * 1440},
			"low": {ResponseMinutes: 480, ResolutionMinutes: 5 * 1440}},
		Levels: []service.Level{{Level: 1, Clock: service.ClockResponse, Percent: 75, Notify: true},
			{Level: 2, Clock: service.ClockResolution, Percent: 100, ReassignToLead: true, RaisePriority: true}}}
	if got.ID == 0 || jsonText(t, got) != jsonText(t, want) {
		t.Fatalf("plan from the API:\n%s\nwant\n%s", jsonText(t, got), jsonText(t, want))
	}

	// The list shows it with its targets and hours summary.
	_, list := b.get("/admin/sla-plans")
	for _, s := range []string{"Premium &lt;24/7&gt; &amp; more", "Asia/Chita", "Mon 08:00-13:00, 14:00-20:00; Tue–Thu 08:00-20:00; Fri 08:00-17:30",
		`<td class="target-response">1h30m</td><td class="target-resolution">1d2h</td>`, "L1 at 75% of response: notify the assignee",
		"L2 at 100% of resolution: reassign to the team lead, raise the priority, record a breach"} {
		if !strings.Contains(list, s) {
			t.Errorf("the plan list lacks %q", s)
		}
	}

	// The edit form posted as shown changes nothing.
	path := "/admin/sla-plans/" + strconv.FormatInt(got.ID, 10)
	_, page := b.get(path)
	again := formValues(t, page)
	if again.Get("zone") != "other" || again.Get("zone_other") != "Asia/Chita" || again.Get("response_high") != "1h30m" {
		t.Fatalf("edit form values: %v", again)
	}
	if resp, body := b.post(path, again); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-post the edit form: %d %s", resp.StatusCode, body)
	}
	if after := b.apiPlans(t)["Premium <24/7> & more"]; jsonText(t, after) != jsonText(t, want) {
		t.Fatalf("after re-posting the form unchanged:\n%s\nwant\n%s", jsonText(t, after), jsonText(t, want))
	}

	// Ticking Default moves the flag; the old default's form keeps its plan
	// (a common zone shows in the select).
	again.Set("default", "1")
	if resp, _ := b.post(path, again); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("make default: %d", resp.StatusCode)
	}
	plans := b.apiPlans(t)
	if !plans["Premium <24/7> & more"].Default || plans["Standard"].Default {
		t.Errorf("default after ticking it: premium %v, standard %v", plans["Premium <24/7> & more"].Default, plans["Standard"].Default)
	}
	_, page = b.get("/admin/sla-plans/" + strconv.FormatInt(plans["Standard"].ID, 10))
	if std := formValues(t, page); std.Get("zone") != "Europe/Moscow" || std.Get("hours_sat") != "closed" ||
		std.Get("resolution_normal") != "1d" || std.Get("level_2_raise") != "1" || std.Get("default") != "" {
		t.Errorf("the standard plan's form: %v", std)
	}
}

// TestSLAPlanFormBadInput: each unreadable field comes back marked with its
// own message and the typed values kept, and nothing is saved; the domain's
// checks (a response longer than the resolution, an unknown zone, levels
// twice) and the default plan dropping its flag are shown at their fields.
func TestSLAPlanFormBadInput(t *testing.T) {
	t.Parallel()
	a := newAdminSiteWith(t, true)
	b := a.browser()
	csrf := b.login("admin")
	std := a.plan(t)
	base := func() url.Values {
		v := planValues(std)
		v.Set("csrf_token", csrf)
		v.Set("name", "Gold")
		v.Del("default")
		return v
	}
	bad := base()
	bad.Set("hours_tue", "9-18")
	bad.Set("holidays", "2026-01-01\n2026-13-40\nsoon")
	bad.Set("response_critical", "4x")
	bad.Set("resolution_low", "")
	bad.Set("level_rows", "4")
	bad.Set("level_3_level", "3")
	bad.Set("zone_other", "Mars/Olympus")
	resp, body := b.post("/admin/sla-plans", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad plan: %d, want 422", resp.StatusCode)
	}
	for id, msg := range map[string]string{
		"error-hours_tue":         `&#34;9-18&#34; is not business hours: write 09:00-18:00`,
		"error-holidays":          `&#34;2026-13-40&#34;, &#34;soon&#34;: not dates YYYY-MM-DD`,
		"error-response_critical": `&#34;4x&#34; is not a duration`,
		"error-resolution_low":    "Required: write e.g. 4h",
		"error-levels":            "row 4 needs a level number and a percent",
		"error-time_zone":         "Mars/Olympus",
	} {
		if !regexp.MustCompile(`id="` + id + `">[^<]*` + regexp.QuoteMeta(msg)).MatchString(body) {
			t.Errorf("no %q at %s", msg, id)
		}
	}
	for _, kept := range []string{`value="9-18"`, `value="4x"`, "2026-13-40\nsoon", `value="Gold"`, `value="Mars/Olympus"`} {
		if !strings.Contains(body, kept) {
			t.Errorf("typed value %q not kept", kept)
		}
	}
	if n := len(b.apiPlans(t)); n != 1 {
		t.Fatalf("%d plans after a refused form, want 1", n)
	}

	for name, c := range map[string]struct {
		change func(url.Values)
		id     string
		msg    string
	}{
		"response longer than resolution": {func(v url.Values) { v.Set("response_high", "9h") }, "error-targets", "high: response target is longer than resolution"},
		"level twice": {func(v url.Values) {
			v.Set("level_rows", "4")
			v.Set("level_3_level", "1")
			v.Set("level_3_clock", "response")
			v.Set("level_3_percent", "90")
		}, "error-levels", "level 1 of the response clock appears twice"},
		"taken name": {func(v url.Values) { v.Set("name", "Standard") }, "error-name", "another plan has this name"},
		"all days closed": {func(v url.Values) {
			for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
				v.Set("hours_"+d, "closed")
			}
		}, "error-hours", "no business hours on any weekday"},
	} {
		v := base()
		c.change(v)
		resp, body := b.post("/admin/sla-plans", v)
		if resp.StatusCode != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="`+c.id+`">[^<]*`+regexp.QuoteMeta(c.msg)).MatchString(body) {
			t.Errorf("%s: %d, want 422 with %q at %s", name, resp.StatusCode, c.msg, c.id)
		}
	}
	v := planValues(std)
	v.Set("csrf_token", csrf)
	v.Del("default")
	resp, body = b.post("/admin/sla-plans/"+strconv.FormatInt(std.ID, 10), v)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="error-default">One plan must be the default`) {
		t.Errorf("default plan unticked: %d, want 422 at the default flag", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/sla-plans/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown plan: %d, want 404", resp.StatusCode)
	}
	if plans := b.apiPlans(t); len(plans) != 1 || !plans["Standard"].Default {
		t.Errorf("plans after refused forms: %+v", plans)
	}
}

// TestSLAPlanListShowsUsage: the list names the products whose support
// terms use a plan and counts its open requests.
func TestSLAPlanListShowsUsage(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	ctx := context.Background()
	std := a.plan(t)
	p := resource.Product{SKU: "PBX-100", Name: "PBX appliance", SupportMonths: 12, SupportPlanID: &std.ID}
	must(t, a.store.Stock.CreateProduct(ctx, &p))
	c := crm.Client{Name: "Usage client", Kind: crm.ClientCompany}
	must(t, a.store.Clients.CreateClient(ctx, &c))
	client := c.ID
	for i := range 3 {
		tk := service.Ticket{ClientID: client, Subject: fmt.Sprintf("Request %d", i)}
		must(t, a.store.Tickets.CreateTicket(ctx, &tk))
		if i == 0 {
			closed := service.StatusResolved
			if _, err := a.store.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &closed}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := a.browser()
	b.login("admin")
	_, body := b.get("/admin/sla-plans")
	for _, s := range []string{`<span class="plan-open-tickets">2 open requests</span>`, `PBX appliance <span class="small muted">PBX-100</span>`,
		"every client and product without a plan", `<span class="tag plan-default">default</span>`, "Mon–Fri 09:00-18:00"} {
		if !strings.Contains(body, s) {
			t.Errorf("the plan list lacks %q", s)
		}
	}
}
