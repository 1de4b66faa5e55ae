package deploy

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeEnv is what an administrator puts in .env (env.example).
var composeEnv = []string{
	"HOTLINE_ARI_PASSWORD=test-ari",
	"POSTGRES_PASSWORD=test-pg",
	"GRAFANA_DB_PASSWORD=test-reader",
	"GRAFANA_ADMIN_PASSWORD=test-admin",
	"HOTLINE_METRICS_TOKEN=test-metrics-token-0123",
}

func loadCompose(t *testing.T, env []string) (*types.Project, error) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(wd, "compose.yaml")},
		cli.WithWorkingDirectory(wd), cli.WithEnv(env), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

func TestComposeLoads(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatalf("compose.yaml does not load: %v", err)
	}
	want := map[string]string{
		"asterisk":   "hotline-asterisk:local", // built FROM andrius/asterisk:22 with the Russian core sounds
		"postgres":   "postgres:16-alpine",
		"redis":      "redis:7-alpine",
		"prometheus": "prom/prometheus:",
		"grafana":    "grafana/grafana:",
		"hotline":    "hotline:local",
		"migrate":    "hotline:local",
	}
	if got, wantNames := slices.Sorted(maps.Keys(p.Services)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, wantNames) {
		t.Errorf("services = %v, want %v", got, wantNames)
	}
	for name, image := range want {
		if s := p.Services[name]; !strings.HasPrefix(s.Image, image) {
			t.Errorf("%s image = %q, want %q...", name, s.Image, image)
		}
	}
	if b := p.Services["asterisk"].Build; b == nil || !strings.HasSuffix(b.Context, "asterisk") {
		t.Errorf("asterisk is not built from asterisk/Dockerfile (the Russian core sounds): %+v", b)
	}
	if df, err := os.ReadFile("asterisk/Dockerfile"); err != nil || !strings.Contains(string(df), "ARG ASTERISK_IMAGE=andrius/asterisk:22") ||
		!strings.Contains(string(df), "asterisk-core-sounds-ru-wav") {
		t.Errorf("asterisk/Dockerfile: %v", err)
	}
	for _, name := range []string{"asterisk", "postgres", "redis", "prometheus", "grafana", "hotline"} {
		if hc := p.Services[name].HealthCheck; hc == nil || len(hc.Test) == 0 {
			t.Errorf("%s has no healthcheck", name)
		}
	}
	for _, v := range []string{"postgres-data", "redis-data", "prometheus-data", "grafana-data", "asterisk-sounds"} {
		if _, ok := p.Volumes[v]; !ok {
			t.Errorf("named volume %s is not declared", v)
		}
	}
	checkBindMounts(t, p)
}

// checkBindMounts: every file the stack mounts from deploy/ exists, and
// configuration is mounted read-only.
func checkBindMounts(t *testing.T, p *types.Project) {
	t.Helper()
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			// tls/ holds the ARI certificate and key an administrator makes
			// (README: "ARI over TLS"), never shipped.
			if _, err := os.Stat(v.Source); err != nil && filepath.Base(filepath.Dir(v.Source)) != "tls" {
				t.Errorf("%s mounts %s, which does not exist: %v", name, v.Source, err)
			}
			if !v.ReadOnly {
				t.Errorf("%s mounts %s read-write; configuration must be :ro", name, v.Source)
			}
		}
	}
	var asteriskConfs []string
	for _, v := range p.Services["asterisk"].Volumes {
		if v.Type == types.VolumeTypeBind {
			asteriskConfs = append(asteriskConfs, filepath.Base(v.Target))
		}
	}
	for _, f := range []string{"http.conf", "ari.conf", "pjsip.conf", "extensions.conf", "queues.conf", "rtp.conf"} {
		if !slices.Contains(asteriskConfs, f) {
			t.Errorf("asterisk does not mount %s", f)
		}
	}
}

func TestComposeHotlineService(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	h := p.Services["hotline"]
	root, _ := filepath.Abs("..")
	if h.Build == nil || h.Build.Context != root || h.Build.Dockerfile != "deploy/Dockerfile" {
		t.Errorf("hotline build = %+v, want context %s and deploy/Dockerfile", h.Build, root)
	}
	// the runtime image has no shell or wget: `hotline healthcheck` GETs /readyz
	if !slices.Equal(h.HealthCheck.Test, types.HealthCheckTest{"CMD", "/usr/local/bin/hotline", "healthcheck"}) {
		t.Errorf("hotline healthcheck %v, want the image's own hotline healthcheck", h.HealthCheck.Test)
	}
	env := func(k string) string {
		if v := h.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	for k, want := range map[string]string{
		"HOTLINE_HTTP_ADDR":    ":8080",
		"HOTLINE_DATABASE_URL": "postgres://hotline:test-pg@postgres:5432/hotline?sslmode=disable",
		"HOTLINE_REDIS_URL":    "redis://redis:6379/0",
		"HOTLINE_ARI_URL":      "https://host.docker.internal:8089",
		"SSL_CERT_DIR":         "/etc/hotline/ca",
		"HOTLINE_ARI_USER":     "hotline",
		"HOTLINE_ARI_PASSWORD": "test-ari",
		"HOTLINE_ARI_APP":      "hotline",
		"HOTLINE_METRICS_ADDR": ":9464",
	} {
		if got := env(k); got != want {
			t.Errorf("hotline %s = %q, want %q", k, got, want)
		}
	}
	// /metrics is for Prometheus on the compose network only.
	for _, port := range h.Ports {
		if port.Target == 9464 {
			t.Errorf("hotline publishes its metrics port: %+v", port)
		}
	}
	for dep, cond := range map[string]string{
		"postgres": types.ServiceConditionHealthy,
		"redis":    types.ServiceConditionHealthy,
		"migrate":  types.ServiceConditionCompletedSuccessfully,
	} {
		if got := h.DependsOn[dep].Condition; got != cond {
			t.Errorf("hotline depends_on %s condition = %q, want %q", dep, got, cond)
		}
	}
	for _, v := range h.Volumes {
		if v.Target == "/var/lib/hotline/spool" && v.Type == types.VolumeTypeVolume && v.Source != "" {
			t.Errorf("the spool is the named volume %s: scaled replicas would share it", v.Source)
		}
	}
	if !h.ReadOnly {
		t.Error("hotline's root filesystem should be read-only")
	}
	if got := p.Services["asterisk"].NetworkMode; got != "host" {
		t.Errorf("asterisk network_mode = %q, want host (SIP and RTP need real addresses)", got)
	}
	if m := p.Services["migrate"]; !slices.Equal(m.Command, types.ShellCommand{"migrate", "up"}) {
		t.Errorf("migrate command = %v", m.Command)
	}
}

// A missing password stops compose with a message naming the variable,
// instead of starting services with empty passwords.
func TestComposeRequiresPasswords(t *testing.T) {
	for i := range composeEnv {
		env := slices.Delete(slices.Clone(composeEnv), i, i+1)
		name, _, _ := strings.Cut(composeEnv[i], "=")
		_, err := loadCompose(t, env)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: err = %v, want one naming it", name, err)
		}
	}
}

func TestEnvExampleCoversCompose(t *testing.T) {
	example, err := os.ReadFile("env.example")
	if err != nil {
		t.Fatal(err)
	}
	compose, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+):\?`).FindAllStringSubmatch(string(compose), -1) {
		if !regexp.MustCompile(`(?m)^` + m[1] + `=`).Match(example) {
			t.Errorf("compose.yaml requires %s but env.example does not set it", m[1])
		}
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 || !strings.HasPrefix(froms[0][1], "golang:1.26") {
		t.Fatalf("want a multi-stage build starting FROM golang:1.26, got %v", froms)
	}
	if !strings.Contains(df, "CGO_ENABLED=0") {
		t.Error("the binary must be built with CGO_ENABLED=0")
	}
	if !strings.Contains(df, "./cmd/hotline") {
		t.Error("the build must compile ./cmd/hotline")
	}
	// The last USER of the final stage decides who runs Hotline.
	final := df[strings.LastIndex(df, "\nFROM "):]
	users := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(final, -1)
	if len(users) == 0 {
		t.Fatal("the runtime stage has no USER: Hotline would run as root")
	}
	if u := users[len(users)-1][1]; u == "root" || u == "0" || strings.HasPrefix(u, "0:") {
		t.Errorf("runtime USER = %s, want a non-root user", u)
	}
	for _, want := range []string{"EXPOSE 8080", `ENTRYPOINT ["/usr/local/bin/hotline"]`, `CMD ["serve"]`,
		`CMD ["/usr/local/bin/hotline", "healthcheck"]`} {
		if !strings.Contains(final, want) {
			t.Errorf("runtime stage lacks %s", want)
		}
	}
	// Every base pinned by digest; the runtime one without a shell.
	for _, f := range froms {
		if !digestPinned.MatchString(f[1]) {
			t.Errorf("FROM %s is not pinned by digest (name:tag@sha256:<64 hex>)", f[1])
		}
	}
	if runtime := froms[len(froms)-1][1]; !strings.HasPrefix(runtime, "gcr.io/distroless/static") && runtime != "scratch" {
		t.Errorf("runtime base %s, want distroless static or scratch", runtime)
	}
	if regexp.MustCompile(`(?m)^RUN\s`).MatchString(final) {
		t.Error("the runtime stage RUNs a command: a distroless image has no shell")
	}
	if !regexp.MustCompile(`(?m)^HEALTHCHECK\s.*\\\n\s+CMD \["/usr/local/bin/hotline", "healthcheck"\]`).MatchString(final) {
		t.Error("the image's HEALTHCHECK is not `hotline healthcheck`")
	}
}

// digestPinned is an image reference pinned by digest, tag kept for people.
var digestPinned = regexp.MustCompile(`^[a-z0-9./_-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$`)

// Every image the stack pulls is pinned by digest, except the images built
// here and Asterisk's, which an administrator pins in .env (ASTERISK_IMAGE).
func TestComposeImagesPinnedByDigest(t *testing.T) {
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range p.Services {
		switch {
		case s.Build != nil:
			continue
		case name == "asterisk":
			pinned, err := loadCompose(t, append(slices.Clone(composeEnv), "ASTERISK_IMAGE=andrius/asterisk:22@sha256:"+strings.Repeat("ab", 32)))
			if err != nil || !digestPinned.MatchString(pinned.Services["asterisk"].Image) {
				t.Errorf("ASTERISK_IMAGE does not pin the asterisk service: %v", err)
			}
			continue
		}
		if !digestPinned.MatchString(s.Image) {
			t.Errorf("%s image %s is not pinned by digest", name, s.Image)
		}
	}
}

// The embedded copy is what `hotline check-config` checks: it must hold
// every shipped file.
func TestFilesEmbedsEveryShippedFile(t *testing.T) {
	var onDisk []string
	for _, dir := range []string{"asterisk", "prometheus", "grafana", "k8s", "postgres"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				onDisk = append(onDisk, filepath.ToSlash(path))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	onDisk = append(onDisk, "compose.yaml", "Dockerfile", "Dockerfile.dockerignore", "env.example")
	for _, name := range onDisk {
		if _, err := fs.Stat(Files, name); err != nil {
			t.Errorf("%s is not in deploy.Files: %v", name, err)
		}
	}
}
