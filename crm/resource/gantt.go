package resource

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// GanttSVG draws a project's tasks as bars on a day scale, with arrows
// from each predecessor's end to the task's start. It needs no script.
func GanttSVG(p Project) string {
	if len(p.Tasks) == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text x="10" y="25">No tasks</text></svg>`
	}
	const rowH, dayW, labelW, top = 26, 22, 220, 30
	from := workStart(p.Start)
	to := from
	for _, t := range p.Tasks {
		if t.Start.Before(from) {
			from = workStart(t.Start)
		}
		if t.Finish.After(to) {
			to = t.Finish
		}
	}
	days := int(to.Sub(from).Hours()/24) + 2
	width, height := labelW+days*dayW+20, top+len(p.Tasks)*rowH+10
	x := func(t time.Time) float64 { return labelW + t.Sub(from).Hours()/24*dayW }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12" role="img" aria-label="%s">`,
		width, height, html.EscapeString(p.Name))
	for d := 0; d < days; d++ {
		day := from.AddDate(0, 0, d)
		fill := "#fff"
		if isWeekend(day) {
			fill = "#f0f0f0"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#e0e0e0"/>`, labelW+d*dayW, top-4, dayW, height-top, fill)
		if day.Weekday() == time.Monday || d == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="16" fill="#555">%s</text>`, labelW+d*dayW+2, day.Format("02 Jan"))
		}
	}
	row := map[int64]int{}
	for i, t := range p.Tasks {
		row[t.ID] = i
	}
	for i, t := range p.Tasks {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="6" y="%d">%s</text>`, y+15, html.EscapeString(trim(t.Name, 30)))
		x0, x1 := x(t.Start), x(t.Finish)
		if t.DurationDays == 0 {
			fmt.Fprintf(&b, `<path class="milestone" d="M%.1f %d l7 8 l-7 8 l-7 -8 z" fill="#c62828"><title>%s</title></path>`, x0, y+2, html.EscapeString(t.Name))
		} else {
			fmt.Fprintf(&b, `<rect class="task" x="%.1f" y="%d" width="%.1f" height="16" rx="3" fill="#1976d2"><title>%s: %s – %s</title></rect>`,
				x0, y+2, x1-x0, html.EscapeString(t.Name), t.Start.Format("2006-01-02"), t.Finish.Format("2006-01-02"))
		}
		for _, d := range t.DependsOn {
			if j, ok := row[d]; ok {
				px := x(p.Tasks[j].Finish)
				py := top + j*rowH + 10
				fmt.Fprintf(&b, `<path class="dep" d="M%.1f %d H%.1f V%d H%.1f" fill="none" stroke="#777"/>`, px, py, px+5, y+10, x0)
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
