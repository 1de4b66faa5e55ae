package metrics_test

import (
	"encoding/json"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"hotline/deploy"
	"hotline/metrics"
	"hotline/survey"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/screenpop"
	hsip "hotline/telephony/sip"
)

// family is an exported metric: its type and label names.
type family struct {
	typ    dto.MetricType
	labels []string
}

// registeredElsewhere are metrics package survey registers (through
// survey.Options.Registerer) that have no series until a survey is played;
// TestSurveyRegistersWhatDashboardsExpect checks this table against the
// descriptors the survey runner really registers.
var registeredElsewhere = map[string]family{
	"hotline_survey_responses_total": {dto.MetricType_COUNTER, []string{"survey", "state"}},
	"hotline_survey_score":           {dto.MetricType_HISTOGRAM, []string{"agent", "scale"}},
	// with a journal (serve always has one)
	"hotline_survey_journaled_total":       {dto.MetricType_COUNTER, []string{"op"}},
	"hotline_survey_journal_dropped_total": {dto.MetricType_COUNTER, nil},
	"hotline_survey_journal_pending":       {dto.MetricType_GAUGE, nil},
}

// emptyJournal is a survey.Journal with nothing in it.
type emptyJournal struct{ ready chan struct{} }

var _ survey.Journal = emptyJournal{}

func (emptyJournal) Append(...[]byte) error             { return nil }
func (emptyJournal) Next(int) ([][]byte, uint64, error) { return nil, 0, nil }
func (emptyJournal) Commit(uint64) error                { return nil }
func (j emptyJournal) Ready() <-chan struct{}           { return j.ready }
func (emptyJournal) Pending() uint64                    { return 0 }

// registeredBySIP are the SIP probe metrics (telephony/sip's Monitor,
// registered by serve with HOTLINE_SIP_PROBES), which have no series until
// an endpoint is probed; TestSIPMonitorRegistersWhatDashboardsExpect checks
// this table against the descriptors the monitor really registers.
var registeredBySIP = map[string]family{
	"hotline_sip_endpoint_up":          {dto.MetricType_GAUGE, []string{"endpoint"}},
	"hotline_sip_endpoint_rtt_seconds": {dto.MetricType_GAUGE, []string{"endpoint"}},
}

type fakeStats struct{}

func (fakeStats) Stats() ari.Stats {
	return ari.Stats{Connected: true, Connects: 2, Events: map[string]uint64{"StasisStart": 3}}
}

func fakeSpool() metrics.SpoolBacklog {
	return metrics.SpoolBacklog{PendingRecords: 4, PendingBytes: 400}
}

type fakeTracker struct{}

func (fakeTracker) Stats() telephony.Stats {
	return telephony.Stats{Events: 10, Skipped: 2, Updates: 5}
}

// exported gathers every family Hotline registers, with one sample each.
func exported(t *testing.T) map[string]family {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg, metrics.AgentList{"alice"}, metrics.Options{})
	metrics.RegisterBuildInfo(reg, "test")
	m.AddARINode("pbx1", ariStats(fakeStats{}))
	m.SetSpool(fakeSpool)
	m.SetTracker(fakeTracker{})
	m.SLABreached("VIP", "response")
	pop := screenpop.NewMetrics(reg)
	pop.Delivered(screenpop.Message{Popped: time.Now()}, time.Now())
	pop.Dropped()
	end := time.Now()
	m.Observe(telephony.Event{Kind: telephony.EventCallEnded, Call: telephony.Call{
		Direction: telephony.Inbound, Outcome: telephony.OutcomeAnswered, Agent: "alice", Agents: []string{"alice"},
		StartedAt: end.Add(-time.Minute), AnsweredAt: &end, EndedAt: &end, RingSeconds: 2, TalkSeconds: 50}})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := maps(registeredElsewhere)
	for k, v := range registeredBySIP {
		out[k] = v
	}
	for _, mf := range mfs {
		var names []string
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			names = append(names, lp.GetName())
		}
		out[mf.GetName()] = family{mf.GetType(), names}
	}
	return out
}

func maps(m map[string]family) map[string]family {
	out := map[string]family{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkSelectors checks that every metric an expression selects is exported
// (histogram series by their _bucket/_sum/_count names) and that its label
// matchers and grouping labels exist on it. recorded are rule outputs.
func checkSelectors(t *testing.T, where, expr string, fams map[string]family, recorded map[string]bool) []string {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Errorf("%s: %q does not parse: %v", where, expr, err)
		return nil
	}
	var used []string
	var grouping []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if a, ok := n.(*parser.AggregateExpr); ok {
			grouping = append(grouping, a.Grouping...)
		}
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if recorded[vs.Name] {
			return nil
		}
		if vs.Name == "up" {
			return nil
		}
		base, fam, ok := lookup(vs.Name, fams)
		if !ok {
			t.Errorf("%s: metric %s is not exported by Hotline", where, vs.Name)
			return nil
		}
		used = append(used, base)
		for _, mt := range vs.LabelMatchers {
			if mt.Name == model.MetricNameLabel || mt.Name == "job" || mt.Name == "instance" || mt.Name == "le" {
				continue
			}
			if !slices.Contains(fam.labels, mt.Name) {
				t.Errorf("%s: %s has no label %q (labels %v)", where, vs.Name, mt.Name, fam.labels)
			}
		}
		return nil
	})
	for _, g := range grouping {
		found := g == "le" || g == "instance" || g == "job"
		for _, u := range used {
			found = found || slices.Contains(fams[u].labels, g)
		}
		if !found && len(used) > 0 {
			t.Errorf("%s: grouping by %q, a label none of %v has", where, g, used)
		}
	}
	return used
}

func lookup(name string, fams map[string]family) (string, family, bool) {
	if f, ok := fams[name]; ok {
		return name, f, true
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suf)
		if f, found := fams[base]; ok && found && f.typ == dto.MetricType_HISTOGRAM {
			return base, f, true
		}
	}
	return "", family{}, false
}

// grafanaVars replaces the dashboard variables with values PromQL accepts.
var grafanaVars = strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h",
	"$agent", "alice", "$survey", "1", "$node", "pbx1")

func TestRulesLoadAndQueryExportedMetrics(t *testing.T) {
	fams := exported(t)
	recorded := map[string]bool{}
	for _, file := range []string{"prometheus/rules.yml", "prometheus/alerts.yml"} {
		b, err := fs.ReadFile(deploy.Files, file)
		if err != nil {
			t.Fatal(err)
		}
		groups, errs := rulefmt.Parse(b, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		for _, err := range errs {
			t.Errorf("%s: %v", file, err)
		}
		if groups == nil {
			continue
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					recorded[r.Record] = true
				}
			}
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				checkSelectors(t, file+": "+r.Record+r.Alert, r.Expr, fams, recorded)
			}
		}
	}
	if len(recorded) == 0 {
		t.Error("no recording rules found")
	}
}

// target is one query of a dashboard panel.
type target struct {
	Expr       string `json:"expr"`
	RawSQL     string `json:"rawSql"`
	Datasource struct {
		UID string `json:"uid"`
	} `json:"datasource"`
}

// dashboardTargets reads every query of every shipped dashboard.
func dashboardTargets(t *testing.T) map[string][]target {
	t.Helper()
	files, err := fs.Glob(deploy.Files, "grafana/dashboards/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	out := map[string][]target{}
	for _, f := range files {
		b, err := fs.ReadFile(deploy.Files, f)
		if err != nil {
			t.Fatal(err)
		}
		var dash struct {
			UID    string            `json:"uid"`
			Title  string            `json:"title"`
			Panels []json.RawMessage `json:"panels"`
		}
		if err := json.Unmarshal(b, &dash); err != nil {
			t.Fatalf("%s is not JSON: %v", f, err)
		}
		if dash.UID == "" || dash.Title == "" || len(dash.Panels) == 0 {
			t.Errorf("%s: uid %q title %q and %d panels", f, dash.UID, dash.Title, len(dash.Panels))
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if _, ok := x["refId"]; ok && (x["expr"] != nil || x["rawSql"] != nil) {
					raw, _ := json.Marshal(x)
					var tg target
					_ = json.Unmarshal(raw, &tg)
					out[path.Base(f)] = append(out[path.Base(f)], tg)
				}
				for _, c := range x {
					walk(c)
				}
			case []any:
				for _, c := range x {
					walk(c)
				}
			}
		}
		var all any
		_ = json.Unmarshal(b, &all)
		walk(all)
	}
	return out
}

func TestDashboardsQueryOnlyExportedMetrics(t *testing.T) {
	fams := exported(t)
	seen := map[string]bool{}
	for file, targets := range dashboardTargets(t) {
		for _, tg := range targets {
			if tg.Expr == "" {
				continue
			}
			for _, n := range checkSelectors(t, file, grafanaVars.Replace(tg.Expr), fams, nil) {
				seen[n] = true
			}
		}
	}
	listed, err := deploy.DashboardMetrics()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range listed {
		if _, ok := fams[name]; !ok {
			t.Errorf("%s lists %s, which Hotline does not export", deploy.MetricsFile, name)
		}
	}
	for name := range seen {
		if !slices.Contains(listed, name) {
			t.Errorf("dashboards query %s but %s does not list it", name, deploy.MetricsFile)
		}
	}
}

// descRecorder records the descriptors of the collectors registered on it.
type descRecorder struct{ descs []string }

func (d *descRecorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	for desc := range ch {
		d.descs = append(d.descs, desc.String())
	}
	return nil
}
func (d *descRecorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = d.Register(c)
	}
}
func (d *descRecorder) Unregister(prometheus.Collector) bool { return false }

func TestSurveyRegistersWhatDashboardsExpect(t *testing.T) {
	rec := &descRecorder{}
	r := survey.NewRunner(survey.Options{Registerer: rec, Journal: emptyJournal{ready: make(chan struct{})}})
	defer r.Close()
	checkRegistered(t, "survey", rec, registeredElsewhere)
}

func TestSIPMonitorRegistersWhatDashboardsExpect(t *testing.T) {
	rec := &descRecorder{}
	if _, err := hsip.NewMonitor(nil, map[string]string{"trunk": "sip:127.0.0.1:5060"}, 0, rec, nil); err != nil {
		t.Fatal(err)
	}
	checkRegistered(t, "telephony/sip", rec, registeredBySIP)
}

// checkRegistered checks that pkg registered on rec every family of want,
// with its labels.
func checkRegistered(t *testing.T, pkg string, rec *descRecorder, want map[string]family) {
	t.Helper()
	for name, f := range want {
		fq := `fqName: "` + name + `"`
		found := false
		for _, d := range rec.descs {
			if strings.Contains(d, fq) {
				found = true
				if !strings.Contains(d, "variableLabels: {"+strings.Join(f.labels, ",")+"}") {
					t.Errorf("%s registers %s, want labels %v", pkg, d, f.labels)
				}
			}
		}
		if !found {
			t.Errorf("package %s does not register %s (it registers %v)", pkg, name, rec.descs)
		}
	}
}
