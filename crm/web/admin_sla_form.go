package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"hotline/crm/service"
	"hotline/internal/i18n"
)

// The SLA plan form: what admin_sla_plan.html shows and posts, parsed into
// a service.SLAPlan with a message per field it cannot read.

// commonZones are the time zones the plan form offers in its select; any
// other IANA name can be typed.
var commonZones = []string{
	"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
	"Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
	"Asia/Magadan", "Asia/Kamchatka", "Europe/Minsk", "Europe/Kyiv", "Asia/Almaty", "Asia/Tashkent",
	"Europe/London", "Europe/Berlin", "Europe/Istanbul", "Asia/Dubai", "America/New_York", "UTC",
}

// otherZone is the select's value for "typed below".
const otherZone = "other"

// weekdayRows are the form's days, Monday first, with their time.Weekday.
var weekdayRows = []struct {
	Key, Label string
	Day        time.Weekday
}{
	{"mon", "Monday", time.Monday}, {"tue", "Tuesday", time.Tuesday}, {"wed", "Wednesday", time.Wednesday},
	{"thu", "Thursday", time.Thursday}, {"fri", "Friday", time.Friday}, {"sat", "Saturday", time.Saturday},
	{"sun", "Sunday", time.Sunday},
}

// blankLevels is how many empty escalation rows the form offers for new
// levels (without JavaScript there is no "add a row" button).
const blankLevels = 2

// planForm is the plan form's values as typed, and a message per field.
type planForm struct {
	ID         int64
	Name       string
	Zone       string // the select's value: a common zone or otherZone
	ZoneOther  string // typed zone, used when Zone is otherZone
	AllDay     bool   // the 24/7 shortcut
	Hours      []dayRow
	Holidays   string
	Targets    []targetRow
	Levels     []levelRow
	Default    bool
	WasDefault bool
	Errors     map[string]string
}

type dayRow struct {
	Key, Label, Value string
}

type targetRow struct {
	Priority             service.Priority
	Response, Resolution string
}

type levelRow struct {
	Level, Percent                        string
	Clock                                 service.ClockKind
	Notify, ReassignToLead, RaisePriority bool
	NotifySupervisors                     bool
}

// Zones is the select's list.
func (f planForm) Zones() []string { return commonZones }

// formOfPlan fills the form from a stored plan.
func formOfPlan(p service.SLAPlan) planForm {
	f := planForm{ID: p.ID, Name: p.Name, Zone: p.TimeZone, Default: p.Default, WasDefault: p.Default,
		Holidays: strings.Join(p.Holidays, "\n")}
	if !slices.Contains(commonZones, p.TimeZone) {
		f.Zone, f.ZoneOther = otherZone, p.TimeZone
	}
	for _, d := range weekdayRows {
		f.Hours = append(f.Hours, dayRow{Key: d.Key, Label: d.Label, Value: spansText(p.Hours[d.Day])})
	}
	for _, pr := range service.Priorities {
		t := p.Targets[pr]
		f.Targets = append(f.Targets, targetRow{Priority: pr, Response: minutesText(t.ResponseMinutes),
			Resolution: minutesText(t.ResolutionMinutes)})
	}
	for _, l := range p.Levels {
		f.Levels = append(f.Levels, levelRow{Level: strconv.Itoa(l.Level), Clock: l.Clock, Percent: strconv.Itoa(l.Percent),
			Notify: l.Notify, ReassignToLead: l.ReassignToLead, RaisePriority: l.RaisePriority, NotifySupervisors: l.NotifySupervisors})
	}
	f.Levels = append(f.Levels, make([]levelRow, blankLevels)...)
	return f
}

// readPlanForm reads the posted form's values as typed.
func readPlanForm(v url.Values, id int64, wasDefault bool) planForm {
	f := planForm{ID: id, Name: v.Get("name"), Zone: v.Get("zone"), ZoneOther: v.Get("zone_other"),
		AllDay: v.Get("all_day") != "", Holidays: v.Get("holidays"), Default: v.Get("default") != "", WasDefault: wasDefault}
	for _, d := range weekdayRows {
		f.Hours = append(f.Hours, dayRow{Key: d.Key, Label: d.Label, Value: v.Get("hours_" + d.Key)})
	}
	for _, pr := range service.Priorities {
		f.Targets = append(f.Targets, targetRow{Priority: pr, Response: v.Get("response_" + string(pr)),
			Resolution: v.Get("resolution_" + string(pr))})
	}
	n, _ := strconv.Atoi(v.Get("level_rows"))
	for i := range min(n, 40) {
		k := "level_" + strconv.Itoa(i) + "_"
		if v.Get(k+"remove") != "" {
			continue
		}
		f.Levels = append(f.Levels, levelRow{Level: v.Get(k + "level"), Clock: service.ClockKind(v.Get(k + "clock")),
			Percent: v.Get(k + "percent"), Notify: v.Get(k+"notify") != "", ReassignToLead: v.Get(k+"reassign") != "",
			RaisePriority: v.Get(k+"raise") != "", NotifySupervisors: v.Get(k+"supervisors") != ""})
	}
	return f
}

// formErr is a form field's problem as a catalogue key and its arguments,
// written in the reader's language by text.
type formErr struct {
	key  string
	args map[string]any
}

func (e *formErr) Error() string { return fmt.Sprintf("%s %v", e.key, e.args) }

// text is the message in l's language.
func (e *formErr) text(l *i18n.Localizer) string { return l.T(e.key, e.args) }

// quoted puts typed text in the quotes of l's language.
func quoted(l *i18n.Localizer, s string) string {
	if l.Lang() == i18n.Russian {
		return "«" + s + "»"
	}
	return strconv.Quote(s)
}

func formProblem(key string, args map[string]any) *formErr { return &formErr{key: key, args: args} }

// plan parses the form into a plan, recording a message per field it
// cannot read in f.Errors, in l's language; the plan is usable only when
// there are none.
func (f *planForm) plan(l *i18n.Localizer) service.SLAPlan {
	f.Errors = map[string]string{}
	p := service.SLAPlan{ID: f.ID, Name: strings.TrimSpace(f.Name), TimeZone: strings.TrimSpace(f.Zone),
		Default: f.Default, Targets: map[service.Priority]service.Target{}}
	if f.Zone == otherZone || f.Zone == "" {
		p.TimeZone = strings.TrimSpace(f.ZoneOther)
	}
	if p.TimeZone == "" {
		f.Errors["time_zone"] = l.T("i18n2.sla.zone_required", nil)
	} else if _, err := time.LoadLocation(p.TimeZone); err != nil {
		f.Errors["time_zone"] = l.T("i18n2.sla.zone_unknown", map[string]any{"Zone": p.TimeZone})
	}
	f.parseHours(l, &p)
	f.parseHolidays(l, &p)
	f.parseTargets(l, &p)
	f.parseLevels(l, &p)
	if f.WasDefault && !f.Default {
		f.Errors["default"] = l.T("i18n2.sla.default_required", nil)
	}
	return p
}

func (f *planForm) parseHours(l *i18n.Localizer, p *service.SLAPlan) {
	allDay := []service.Span{{From: 0, To: 24 * 60}}
	for i, d := range weekdayRows {
		if f.AllDay {
			p.Hours[d.Day] = allDay
			f.Hours[i].Value = "00:00-24:00"
			continue
		}
		v := strings.TrimSpace(f.Hours[i].Value)
		if strings.EqualFold(v, "closed") || strings.EqualFold(v, l.T("i18n2.sla.closed", nil)) {
			continue
		}
		spans, err := service.ParseSpans(v)
		if err != nil {
			f.Errors["hours_"+d.Key] = l.T("i18n2.sla.hours_bad", map[string]any{"Hours": v})
			continue
		}
		p.Hours[d.Day] = spans
	}
}

func (f *planForm) parseHolidays(l *i18n.Localizer, p *service.SLAPlan) {
	var bad []string
	for _, line := range strings.Split(f.Holidays, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, line); err != nil {
			bad = append(bad, quoted(l, line))
			continue
		}
		if !slices.Contains(p.Holidays, line) {
			p.Holidays = append(p.Holidays, line)
		}
	}
	slices.Sort(p.Holidays)
	if len(bad) > 0 {
		f.Errors["holidays"] = l.N("i18n2.sla.holidays_bad", len(bad), map[string]any{"Dates": strings.Join(bad, ", ")})
	}
}

func (f *planForm) parseTargets(l *i18n.Localizer, p *service.SLAPlan) {
	for _, t := range f.Targets {
		resp, err := parseMinutes(t.Response)
		if err != nil {
			f.Errors["response_"+string(t.Priority)] = err.text(l)
		}
		res, err := parseMinutes(t.Resolution)
		if err != nil {
			f.Errors["resolution_"+string(t.Priority)] = err.text(l)
		}
		p.Targets[t.Priority] = service.Target{ResponseMinutes: resp, ResolutionMinutes: res}
	}
}

func (f *planForm) parseLevels(l *i18n.Localizer, p *service.SLAPlan) {
	var bad []string
	for i, row := range f.Levels {
		if strings.TrimSpace(row.Level) == "" && strings.TrimSpace(row.Percent) == "" {
			continue // a blank row
		}
		level, err1 := strconv.Atoi(strings.TrimSpace(row.Level))
		percent, err2 := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(row.Percent), "%")))
		if err1 != nil || err2 != nil {
			bad = append(bad, l.T("i18n2.sla.level_row_bad", map[string]any{"Row": i + 1}))
			continue
		}
		p.Levels = append(p.Levels, service.Level{Level: level, Clock: row.Clock, Percent: percent,
			Notify: row.Notify, ReassignToLead: row.ReassignToLead, RaisePriority: row.RaisePriority, NotifySupervisors: row.NotifySupervisors})
	}
	if len(bad) > 0 {
		f.Errors["levels"] = strings.Join(bad, "; ")
	}
}

// setError records a domain error under its field (its text without the
// field's name, which the form shows next to it).
func (f *planForm) setError(err error) {
	field := fieldOf(err)
	if field == "" {
		field = "form"
	}
	msg := formMessage(err)
	if field != "form" {
		msg = strings.TrimPrefix(msg, fieldLabel(field)+": ")
	}
	f.Errors[field] = msg
}

// Err is the message for a field, "" when it is fine.
func (f planForm) Err(field string) string { return f.Errors[field] }

// maxTargetMinutes bounds a target: a year of business time.
const maxTargetMinutes = 366 * 24 * 60

// parseMinutes reads a duration of business time: "90" (minutes), "30m",
// "4h", "1h30m", "2d" (a day is 24 business hours, not a working day) or
// combinations such as "1d 4h".
func parseMinutes(s string) (int, *formErr) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return 0, formProblem("i18n2.sla.duration_required", nil)
	}
	if n, err := strconv.Atoi(s); err == nil {
		return checkMinutes(n, s)
	}
	total, num := 0, ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'd' || r == 'h' || r == 'm':
			n, err := strconv.Atoi(num)
			if err != nil || len(num) > 6 {
				return 0, formProblem("i18n2.sla.duration_number", map[string]any{"Value": s, "Unit": string(r)})
			}
			total += n * map[rune]int{'d': 24 * 60, 'h': 60, 'm': 1}[r]
			num = ""
		default:
			return 0, formProblem("i18n2.sla.duration_bad", map[string]any{"Value": s})
		}
	}
	if num != "" {
		return 0, formProblem("i18n2.sla.duration_unit", map[string]any{"Value": s, "Number": num})
	}
	return checkMinutes(total, s)
}

func checkMinutes(n int, s string) (int, *formErr) {
	if n <= 0 || n > maxTargetMinutes {
		return 0, formProblem("i18n2.sla.duration_range", map[string]any{"Value": s})
	}
	return n, nil
}

// minutesText writes minutes as parseMinutes reads them: "30m", "4h",
// "1h30m", "2d", "1d4h".
func minutesText(n int) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	for _, u := range []struct {
		size int
		unit string
	}{{24 * 60, "d"}, {60, "h"}, {1, "m"}} {
		if n >= u.size {
			b.WriteString(strconv.Itoa(n/u.size) + u.unit)
			n %= u.size
		}
	}
	return b.String()
}

// spansText writes a day's spans as ParseSpans reads them, "closed" for
// none.
func spansText(spans []service.Span) string {
	if len(spans) == 0 {
		return "closed"
	}
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", s.From/60, s.From%60, s.To/60, s.To%60)
	}
	return strings.Join(parts, ", ")
}
