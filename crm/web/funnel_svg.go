package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"hotline/crm/funnel"
	"hotline/internal/i18n"
)

// Fulfilment colours of the funnel chart, as SVG fill attributes (the
// content security policy allows attributes, not inline styles).
var funnelFills = map[string]string{
	funnel.ColorRed:   "#d64545",
	funnel.ColorAmber: "#e0a526",
	funnel.ColorGreen: "#2e9d57",
	funnel.ColorNone:  "#7a8799",
}

// Chart geometry.
const (
	chartLabelW = 190 // stage names on the left
	chartBarW   = 360 // the widest bar
	chartValueW = 150 // figures on the right
	chartRowH   = 50
	chartBarH   = 34
)

// funnelSVG draws the funnel: per stage a centred outline as wide as the
// plan and a bar as wide as the actual, coloured by fulfilment.
func funnelSVG(l *i18n.Localizer, r funnel.Report) template.HTML {
	maxV := 1
	for _, s := range r.Stages {
		maxV = max(maxV, s.Actual)
		if s.Plan != nil {
			maxV = max(maxV, *s.Plan)
		}
	}
	width := chartLabelW + chartBarW + chartValueW
	height := len(r.Stages)*chartRowH + 34
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" id="funnel-chart" class="funnel-chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="funnel-chart-title">`,
		width, height, width, height)
	fmt.Fprintf(&b, `<title id="funnel-chart-title">%s</title>`,
		template.HTMLEscapeString(l.T("web.funnel.chart_title", map[string]any{"Period": r.Period.Label})))
	centre := chartLabelW + chartBarW/2
	for i, s := range r.Stages {
		y := i*chartRowH + 8
		fill := funnelFills[s.Color]
		fmt.Fprintf(&b, `<g class="stage" id="stage-%d">`, s.Position)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="14" fill="#1f2a37">%d. %s</text>`,
			chartLabelW-10, y+chartBarH/2+5, s.Position, template.HTMLEscapeString(s.Name))
		if s.Plan != nil {
			w := scaled(*s.Plan, maxV)
			fmt.Fprintf(&b, `<rect class="plan" id="plan-%d" x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#1f2a37" stroke-width="1.5" stroke-dasharray="5 3" rx="3"/>`,
				s.Position, centre-w/2, y-2, w, chartBarH+4)
		}
		w := scaled(s.Actual, maxV)
		if s.Actual > 0 && w < 3 {
			w = 3
		}
		fmt.Fprintf(&b, `<rect class="actual" id="bar-%d" data-color="%s" data-actual="%d" x="%d" y="%d" width="%d" height="%d" fill="%s" rx="3"/>`,
			s.Position, s.Color, s.Actual, centre-w/2, y, w, chartBarH, fill)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#1f2a37" class="figures">%s</text>`,
			chartLabelW+chartBarW+10, y+chartBarH/2+5, template.HTMLEscapeString(figures(s)))
		b.WriteString(`</g>`)
	}
	ly := len(r.Stages)*chartRowH + 16
	x := chartLabelW
	for _, item := range []struct{ color, text string }{
		{funnel.ColorRed, l.T("web.funnel.legend.under", nil)}, {funnel.ColorAmber, "70–99%"},
		{funnel.ColorGreen, l.T("web.funnel.legend.met", nil)}, {funnel.ColorNone, l.T("web.funnel.legend.none", nil)},
	} {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s" rx="2"/><text x="%d" y="%d" font-size="12" fill="#4b5563">%s</text>`,
			x, ly, funnelFills[item.color], x+18, ly+12, template.HTMLEscapeString(item.text))
		x += 100
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="none" stroke="#1f2a37" stroke-dasharray="4 2"/><text x="%d" y="%d" font-size="12" fill="#4b5563">%s</text>`,
		x, ly, x+18, ly+12, template.HTMLEscapeString(l.T("web.funnel.legend.plan", nil)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text inside is escaped above
}

func scaled(v, maxV int) int { return v * chartBarW / maxV }

// figures is "actual / plan · fulfilment%" for the chart and table.
func figures(s funnel.StageRow) string {
	out := strconv.Itoa(s.Actual)
	if s.Plan != nil {
		out += " / " + strconv.Itoa(*s.Plan)
	}
	if s.Fulfilment != nil {
		out += " · " + pctText(s.Fulfilment)
	}
	return out
}

func pctText(p *float64) string {
	if p == nil {
		return "–"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
}
