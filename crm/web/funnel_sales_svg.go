package web

import (
	"fmt"
	"html/template"
	"strings"

	"hotline/crm/funnel"
	"hotline/internal/i18n"
)

// Sales chart geometry.
const (
	salesColW   = 64
	salesPlotH  = 220
	salesTop    = 30
	salesBottom = 46
	salesLeft   = 20
)

// salesSVG draws the sales chart: per period a bar of deals won, a dashed
// outline as tall as the plan, and a line of the amount in the base
// currency (its own scale), with the amount written above.
func salesSVG(l *i18n.Localizer, s funnel.Sales) template.HTML {
	maxN, maxA := 1, int64(1)
	for _, p := range s.Points {
		maxN = max(maxN, p.Won)
		if p.Plan != nil {
			maxN = max(maxN, *p.Plan)
		}
		maxA = max(maxA, int64(p.Amount))
	}
	width := salesLeft*2 + len(s.Points)*salesColW
	height := salesTop + salesPlotH + salesBottom
	base := salesTop + salesPlotH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" id="sales-chart" class="sales-chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="sales-chart-title">`,
		width, height, width, height)
	fmt.Fprintf(&b, `<title id="sales-chart-title">%s</title>`, template.HTMLEscapeString(l.T("res.sales.chart_title", map[string]any{"Base": s.Base})))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#cbd5e1"/>`, salesLeft, base, width-salesLeft, base)
	var line []string
	for i, p := range s.Points {
		x := salesLeft + i*salesColW
		cx := x + salesColW/2
		fmt.Fprintf(&b, `<g class="period" id="period-%s">`, template.HTMLEscapeString(p.Label))
		if p.Plan != nil {
			h := *p.Plan * salesPlotH / maxN
			fmt.Fprintf(&b, `<rect class="plan" x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#1f2a37" stroke-dasharray="5 3"/>`,
				x+10, base-h, salesColW-20, h)
		}
		h := p.Won * salesPlotH / maxN
		fill := "#2e9d57"
		if p.Plan != nil && p.Won < *p.Plan {
			fill = "#d64545"
		}
		fmt.Fprintf(&b, `<rect class="won" data-won="%d" x="%d" y="%d" width="%d" height="%d" fill="%s" rx="2"/>`, p.Won, x+16, base-h, salesColW-32, h, fill)
		ay := base - int(int64(p.Amount)*int64(salesPlotH)/maxA)
		line = append(line, fmt.Sprintf("%d,%d", cx, ay))
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3" fill="#1f4e8c"/>`, cx, ay)
		fmt.Fprintf(&b, `<text class="amount" x="%d" y="%d" font-size="10" text-anchor="middle" fill="#1f4e8c">%s</text>`,
			cx, ay-7, template.HTMLEscapeString(shortMoney(l, int64(p.Amount))))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="middle" fill="#1f2a37">%d</text>`, cx, base+14, p.Won)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="middle" fill="#64748b">%s</text>`, cx, base+30, template.HTMLEscapeString(p.Label))
		b.WriteString(`</g>`)
	}
	if len(line) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f4e8c" stroke-width="2"/>`, strings.Join(line, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text inside is escaped above
}

// shortMoney writes an amount in whole units of the base currency (no
// kopecks), grouped: "1 234 567".
func shortMoney(l *i18n.Localizer, minor int64) string { return l.Number(minor / 100) }
