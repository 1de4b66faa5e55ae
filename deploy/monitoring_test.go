package deploy

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// promConfig is the part of Prometheus' configuration the shipped file
// uses; decoding it strictly catches misspelt keys.
type promConfig struct {
	Global struct {
		ScrapeInterval     string `json:"scrape_interval"`
		EvaluationInterval string `json:"evaluation_interval"`
	} `json:"global"`
	RuleFiles     []string `json:"rule_files"`
	ScrapeConfigs []struct {
		JobName       string `json:"job_name"`
		MetricsPath   string `json:"metrics_path"`
		Authorization *struct {
			Type            string `json:"type"`
			CredentialsFile string `json:"credentials_file"`
		} `json:"authorization"`
		DNSSDConfigs []struct {
			Names           []string `json:"names"`
			Type            string   `json:"type"`
			Port            int      `json:"port"`
			RefreshInterval string   `json:"refresh_interval"`
		} `json:"dns_sd_configs"`
		StaticConfigs []struct {
			Targets []string `json:"targets"`
		} `json:"static_configs"`
	} `json:"scrape_configs"`
}

func TestPrometheusConfig(t *testing.T) {
	b, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c promConfig
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		t.Fatalf("prometheus.yml: %v", err)
	}
	for _, d := range []string{c.Global.ScrapeInterval, c.Global.EvaluationInterval} {
		if _, err := model.ParseDuration(d); err != nil {
			t.Errorf("bad duration %q: %v", d, err)
		}
	}
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	mounted := map[string]string{}
	for _, v := range p.Services["prometheus"].Volumes {
		mounted[v.Target] = v.Source
	}
	for _, rf := range c.RuleFiles {
		src, ok := mounted[rf]
		if !ok {
			t.Errorf("rule file %s is not mounted into the prometheus service", rf)
			continue
		}
		if _, err := os.Stat(src); err != nil {
			t.Errorf("rule file %s: %v", rf, err)
		}
	}
	var found bool
	for _, sc := range c.ScrapeConfigs {
		if sc.JobName != "hotline" {
			continue
		}
		found = true
		if sc.MetricsPath != "/metrics" || len(sc.DNSSDConfigs) != 1 ||
			!slices.Equal(sc.DNSSDConfigs[0].Names, []string{"hotline"}) || sc.DNSSDConfigs[0].Port != 9464 {
			t.Errorf("hotline job must discover every replica of the hotline service on its metrics listener :9464/metrics: %+v", sc)
		}
		checkScrapeToken(t, p, sc.Authorization)
	}
	if !found {
		t.Error("no scrape job for hotline")
	}
}

// checkScrapeToken: the hotline job sends a bearer token read from a file,
// and that file is the compose secret made from HOTLINE_METRICS_TOKEN, the
// variable the hotline service gets too.
func checkScrapeToken(t *testing.T, p *types.Project, a *struct {
	Type            string `json:"type"`
	CredentialsFile string `json:"credentials_file"`
}) {
	t.Helper()
	if a == nil || (a.Type != "" && a.Type != "Bearer") || a.CredentialsFile == "" {
		t.Fatalf("the hotline job sends no bearer token from a credentials_file: %+v", a)
	}
	name, ok := strings.CutPrefix(a.CredentialsFile, "/run/secrets/")
	if !ok {
		t.Fatalf("credentials_file %s is not a compose secret", a.CredentialsFile)
	}
	var mounted bool
	for _, s := range p.Services["prometheus"].Secrets {
		mounted = mounted || (s.Source == name && (s.Target == "" || s.Target == name || s.Target == a.CredentialsFile))
	}
	if !mounted {
		t.Errorf("secret %s is not given to the prometheus service: %+v", name, p.Services["prometheus"].Secrets)
	}
	if sec, ok := p.Secrets[name]; !ok || sec.Environment != "HOTLINE_METRICS_TOKEN" {
		t.Errorf("secret %s = %+v, want it made from HOTLINE_METRICS_TOKEN", name, sec)
	}
	if v := p.Services["hotline"].Environment["HOTLINE_METRICS_TOKEN"]; v == nil || *v != "test-metrics-token-0123" {
		t.Errorf("the hotline service does not get HOTLINE_METRICS_TOKEN from .env: %v", v)
	}
}

// ruleFiles parses alerts.yml and rules.yml with Prometheus' own parser,
// which also checks every expression and annotation template.
func ruleFiles(t *testing.T) map[string]*rulefmt.RuleGroups {
	t.Helper()
	out := map[string]*rulefmt.RuleGroups{}
	for _, f := range []string{"prometheus/alerts.yml", "prometheus/rules.yml"} {
		groups, errs := rulefmt.ParseFile(f, false, model.UTF8Validation,
			parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		for _, err := range errs {
			t.Errorf("%s: %v", f, err)
		}
		out[f] = groups
	}
	return out
}

func TestPrometheusRules(t *testing.T) {
	files := ruleFiles(t)
	alerts := map[string]rulefmt.Rule{}
	for _, g := range files["prometheus/alerts.yml"].Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("alerts.yml holds a non-alert rule %q", r.Record)
				continue
			}
			alerts[r.Alert] = r
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				t.Errorf("%s: severity %q", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s lacks a summary or description", r.Alert)
			}
		}
	}
	for _, want := range []string{"HotlineARIDisconnected", "HotlineSpoolBacklog", "HotlineSLABreaches", "HotlineNoCallsInBusinessHours", "HotlineDown"} {
		if _, ok := alerts[want]; !ok {
			t.Errorf("no alert %s", want)
		}
	}
	for _, g := range files["prometheus/rules.yml"].Groups {
		for _, r := range g.Rules {
			if r.Record == "" || !strings.HasPrefix(r.Record, "hotline:") {
				t.Errorf("recording rule %q should record a hotline:... series", r.Record)
			}
		}
	}
}

// metricsList reads METRICS.txt.
func metricsList(t *testing.T) []string {
	t.Helper()
	names, err := DashboardMetrics()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if !model.LegacyValidation.IsValidMetricName(n) || !strings.HasPrefix(n, "hotline_") {
			t.Errorf("METRICS.txt: %q is not a hotline_ metric name", n)
		}
		if seen[n] {
			t.Errorf("METRICS.txt lists %s twice", n)
		}
		seen[n] = true
	}
	return names
}

// grafanaVars stand in for Grafana's variables so the query parses as PromQL.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m", "$__interval", "1m", "$__range", "1d",
	"$agent", ".*", "$survey", ".*",
)

// queriedMetrics parses a PromQL expression and returns the metric names it
// selects, with the _bucket/_sum/_count series mapped to their family.
func queriedMetrics(expr string) ([]string, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == model.MetricNameLabel {
					name = m.Value
				}
			}
			names = append(names, familyName(name))
		}
		return nil
	})
	return names, nil
}

func familyName(series string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(series, suffix); ok && !strings.HasSuffix(series, "_total") {
			return base
		}
	}
	return series
}

func TestRulesQueryOnlyListedMetrics(t *testing.T) {
	listed := metricsList(t)
	recorded := map[string]bool{"up": true} // Prometheus' own
	files := ruleFiles(t)
	for _, g := range files["prometheus/rules.yml"].Groups {
		for _, r := range g.Rules {
			recorded[r.Record] = true
		}
	}
	for f, groups := range files {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				names, err := queriedMetrics(r.Expr)
				if err != nil {
					t.Errorf("%s %s%s: %v", f, r.Alert, r.Record, err)
				}
				for _, n := range names {
					if !recorded[n] && !slices.Contains(listed, n) {
						t.Errorf("%s %s%s queries %s, which is not in METRICS.txt", f, r.Alert, r.Record, n)
					}
				}
			}
		}
	}
}

// Every recording rule is used by an alert or a dashboard: a rule nobody
// reads only costs evaluations and misleads whoever reads rules.yml.
func TestRecordingRulesAreUsed(t *testing.T) {
	files := ruleFiles(t)
	var exprs []string
	for _, g := range files["prometheus/alerts.yml"].Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	for _, d := range loadDashboards(t) {
		walkPanels(d.Panels, func(p panel) {
			for _, tg := range p.Targets {
				if tg.Expr != "" {
					exprs = append(exprs, grafanaVars.Replace(tg.Expr))
				}
			}
		})
	}
	used := map[string]bool{}
	for _, e := range exprs {
		names, err := queriedMetrics(e)
		if err != nil {
			t.Errorf("%q: %v", e, err)
		}
		for _, n := range names {
			used[n] = true
		}
	}
	n := 0
	for _, g := range files["prometheus/rules.yml"].Groups {
		for _, r := range g.Rules {
			n++
			if !used[r.Record] {
				t.Errorf("recording rule %s is used by no alert and no dashboard: use it or remove it", r.Record)
			}
		}
	}
	if n == 0 {
		t.Error("rules.yml records nothing")
	}
}

func TestFamilyName(t *testing.T) {
	for in, want := range map[string]string{
		"hotline_call_talk_seconds_bucket": "hotline_call_talk_seconds",
		"hotline_call_talk_seconds_count":  "hotline_call_talk_seconds",
		"hotline_call_talk_seconds_sum":    "hotline_call_talk_seconds",
		"hotline_agent_calls_total":        "hotline_agent_calls_total",
		"hotline_spool_pending":            "hotline_spool_pending",
	} {
		if got := familyName(in); got != want {
			t.Errorf("familyName(%s) = %s, want %s", in, got, want)
		}
	}
}

// dashboard is the part of a Grafana dashboard the tests check.
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string     `json:"name"`
			Datasource datasource `json:"datasource"`
			Definition string     `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	Datasource datasource               `json:"datasource"`
	GridPos    struct{ H, W, X, Y int } `json:"gridPos"`
	Targets    []struct {
		RefID      string     `json:"refId"`
		Datasource datasource `json:"datasource"`
		Expr       string     `json:"expr"`
		RawSQL     string     `json:"rawSql"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // panels inside a collapsed row
}

func loadDashboards(t *testing.T) map[string]dashboard {
	t.Helper()
	files, err := filepath.Glob("grafana/dashboards/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards (%v)", err)
	}
	out := map[string]dashboard{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Errorf("%s is not valid JSON: %v", f, err)
			continue
		}
		out[f] = d
	}
	return out
}

// provisionedDatasources returns the uid -> type of the provisioned data sources.
func provisionedDatasources(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("grafana/provisioning/datasources/hotline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		APIVersion  int `json:"apiVersion"`
		Datasources []struct {
			UID            string            `json:"uid"`
			Type           string            `json:"type"`
			URL            string            `json:"url"`
			JSONData       map[string]any    `json:"jsonData"`
			SecureJSONData map[string]string `json:"secureJsonData"`
		} `json:"datasources"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil || f.APIVersion != 1 {
		t.Fatalf("datasources: apiVersion %d, %v", f.APIVersion, err)
	}
	out := map[string]string{}
	for _, ds := range f.Datasources {
		out[ds.UID] = ds.Type
	}
	return out
}

func walkPanels(ps []panel, f func(panel)) {
	for _, p := range ps {
		f(p)
		walkPanels(p.Panels, f)
	}
}

func TestDashboards(t *testing.T) {
	datasources := provisionedDatasources(t)
	listed := metricsList(t)
	queried := map[string]bool{}
	uids := map[string]bool{}
	labelValues := regexp.MustCompile(`^label_values\((\w+),\s*\w+\)$`)
	for f, d := range loadDashboards(t) {
		if d.UID == "" || uids[d.UID] {
			t.Errorf("%s: missing or duplicate uid %q", f, d.UID)
		}
		uids[d.UID] = true
		for _, v := range d.Templating.List {
			m := labelValues.FindStringSubmatch(v.Definition)
			if m == nil {
				t.Errorf("%s: variable %s query %q is not label_values(metric, label)", f, v.Name, v.Definition)
				continue
			}
			queried[m[1]] = true
		}
		ids := map[int]bool{}
		walkPanels(d.Panels, func(p panel) {
			if p.ID <= 0 || ids[p.ID] {
				t.Errorf("%s: panel %q has a missing or duplicate id %d", f, p.Title, p.ID)
			}
			ids[p.ID] = true
			for _, n := range checkPanel(t, f, p, datasources) {
				queried[n] = true
				if !slices.Contains(listed, n) {
					t.Errorf("%s: panel %q queries %s, which is not in METRICS.txt", f, p.Title, n)
				}
			}
		})
	}
	for _, n := range listed {
		if !queried[n] {
			t.Errorf("METRICS.txt lists %s, but no dashboard queries it", n)
		}
	}
}

// checkPanel checks one panel's layout, refIds, data sources and PromQL, and
// returns the metrics it queries.
func checkPanel(t *testing.T, f string, p panel, datasources map[string]string) []string {
	t.Helper()
	if p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H <= 0 {
		t.Errorf("%s: panel %q gridPos %+v is outside the 24-column grid", f, p.Title, p.GridPos)
	}
	var metrics []string
	refs := map[string]bool{}
	for _, tg := range p.Targets {
		if refs[tg.RefID] {
			t.Errorf("%s: panel %q repeats refId %s", f, p.Title, tg.RefID)
		}
		refs[tg.RefID] = true
		if typ, ok := datasources[tg.Datasource.UID]; !ok || typ != tg.Datasource.Type {
			t.Errorf("%s: panel %q uses data source %+v, which is not provisioned", f, p.Title, tg.Datasource)
		}
		if tg.Expr == "" {
			continue
		}
		expr := grafanaVars.Replace(tg.Expr)
		if strings.Contains(expr, "$") {
			t.Errorf("%s: panel %q uses an unknown variable: %s", f, p.Title, tg.Expr)
		}
		names, err := queriedMetrics(expr)
		if err != nil {
			t.Errorf("%s: panel %q: %v", f, p.Title, err)
		}
		metrics = append(metrics, names...)
	}
	return metrics
}

func TestGrafanaProvisioningMatchesCompose(t *testing.T) {
	b, err := os.ReadFile("grafana/provisioning/dashboards/hotline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Providers []struct {
			Options struct {
				Path string `json:"path"`
			} `json:"options"`
		} `json:"providers"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil || len(f.Providers) != 1 {
		t.Fatalf("dashboard provider: %v", err)
	}
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("grafana/dashboards")
	var ok bool
	for _, v := range p.Services["grafana"].Volumes {
		if v.Target == f.Providers[0].Options.Path && v.Source == want {
			ok = true
		}
	}
	if !ok {
		t.Errorf("grafana does not mount grafana/dashboards at the provider path %s", f.Providers[0].Options.Path)
	}
	for uid := range provisionedDatasources(t) {
		if uid != "prometheus" && uid != "hotline-postgres" {
			t.Errorf("unexpected data source uid %s", uid)
		}
	}
}
