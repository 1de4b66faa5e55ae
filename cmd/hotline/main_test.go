package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// testEnv runs commands with vars as the environment.
func testEnv(vars map[string]string, stdin string) (env, *syncBuffer, *syncBuffer) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	return env{stdin: strings.NewReader(stdin), stdout: out, stderr: errOut,
		getenv: func(k string) string { return vars[k] }}, out, errOut
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		vars  map[string]string
		args  []string
		want  string
		avoid string // must not appear (a secret)
	}{
		{vars: map[string]string{"HOTLINE_HTTP_ADDR": "8080"}, want: "invalid HOTLINE_HTTP_ADDR"},
		{vars: map[string]string{"HOTLINE_HTTP_ADDR": "localhost:http99"}, want: "invalid HOTLINE_HTTP_ADDR"},
		{vars: map[string]string{"HOTLINE_DATABASE_URL": "mysql://s3cret@db/x"}, want: "invalid HOTLINE_DATABASE_URL", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_REDIS_URL": "http://x"}, want: "invalid HOTLINE_REDIS_URL"},
		{vars: map[string]string{"HOTLINE_ARI_URL": "ftp://pbx"}, want: "invalid HOTLINE_ARI_URL"},
		{vars: map[string]string{"HOTLINE_ARI_URL": "http://user:pw@pbx:8088"}, want: "invalid HOTLINE_ARI_URL", avoid: "pw@"},
		{vars: map[string]string{"HOTLINE_ARI_URL": "http://pbx:8088"}, want: "invalid HOTLINE_ARI_USER"},
		{vars: map[string]string{"HOTLINE_ARI_APP": "bad app"}, want: "invalid HOTLINE_ARI_APP"},
		{vars: map[string]string{"HOTLINE_PHONE_REGION": "XX"}, want: "invalid HOTLINE_PHONE_REGION"},
		{vars: map[string]string{"HOTLINE_LOG_LEVEL": "loud"}, want: "invalid HOTLINE_LOG_LEVEL"},
		{vars: map[string]string{"HOTLINE_COOKIE_SECURE": "maybe"}, want: "invalid HOTLINE_COOKIE_SECURE"},
		{vars: map[string]string{"HOTLINE_METRICS_TOKEN": "short-s3cret"}, want: "invalid HOTLINE_METRICS_TOKEN", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_METRICS_TOKEN": "a-long-s3cret with-a-space"}, want: "invalid HOTLINE_METRICS_TOKEN", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_HTTP_ADDR": "8080"}, args: []string{"--http-addr", "127.0.0.1:0", "--log-level", "nope"}, want: "invalid --log-level"},
		{vars: map[string]string{"HOTLINE_LANGUAGE": "de"}, want: "invalid HOTLINE_LANGUAGE"},
		{vars: map[string]string{"HOTLINE_TIME_ZONE": "Europe/Moskow"}, want: "invalid HOTLINE_TIME_ZONE"},
		{vars: map[string]string{"HOTLINE_TIME_ZONE": "Local"}, want: "invalid HOTLINE_TIME_ZONE"},
		{vars: map[string]string{"HOTLINE_BASE_CURRENCY": "XYZ"}, want: "invalid HOTLINE_BASE_CURRENCY"},
		{vars: map[string]string{"HOTLINE_BASE_CURRENCY": "RUR"}, want: "invalid HOTLINE_BASE_CURRENCY"},
		{vars: map[string]string{"HOTLINE_BASE_CURRENCY": "рубль"}, want: "invalid HOTLINE_BASE_CURRENCY"},
		{vars: map[string]string{"HOTLINE_SMTP_URL": "imap://desk:s3cret@mail:143"}, want: "invalid HOTLINE_SMTP_URL", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_SMTP_URL": "smtp://desk:s3cret@mail:99999"}, want: "invalid HOTLINE_SMTP_URL", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_SMTP_URL": "smtp://desk:s3cret@mail:587"}, want: "invalid HOTLINE_MAIL_FROM", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_MAIL_FROM": "not an address"}, want: "invalid HOTLINE_MAIL_FROM"},
		{vars: map[string]string{"HOTLINE_SMS_URL": "https://sms.example.ru/send?key=s3cret&to={number}"}, want: "invalid HOTLINE_SMS_URL", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_SMS_URL": "ftp://sms.example.ru/send?key=s3cret&to={number}&t={text}"}, want: "invalid HOTLINE_SMS_URL", avoid: "s3cret"},
		{vars: map[string]string{"HOTLINE_SMS_METHOD": "PUT"}, want: "invalid HOTLINE_SMS_METHOD"},
		{vars: map[string]string{"HOTLINE_PUBLIC_URL": "desk.example.ru"}, want: "invalid HOTLINE_PUBLIC_URL"},
		{vars: map[string]string{"HOTLINE_WRAPUP_SECONDS": "0"}, want: "invalid HOTLINE_WRAPUP_SECONDS"},
		{vars: map[string]string{"HOTLINE_WRAPUP_SECONDS": "1m"}, want: "invalid HOTLINE_WRAPUP_SECONDS"},
	}
	for _, tc := range cases {
		e, _, _ := testEnv(tc.vars, "")
		err := run(context.Background(), append([]string{"serve"}, tc.args...), e)
		if err == nil {
			t.Errorf("%v %v: no error", tc.vars, tc.args)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "\n") || (tc.avoid != "" && strings.Contains(msg, tc.avoid)) {
			t.Errorf("%v %v: error %q, want one line starting %q", tc.vars, tc.args, msg, tc.want)
		}
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	load := configFlags(fs, func(k string) string {
		return map[string]string{"HOTLINE_HTTP_ADDR": "0.0.0.0:9000", "HOTLINE_PHONE_REGION": "gb"}[k]
	})
	if err := fs.Parse([]string{"--http-addr", "127.0.0.1:7000"}); err != nil {
		t.Fatal(err)
	}
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:7000" || c.PhoneRegion != "GB" || c.ARIApp != "hotline" ||
		c.DatabaseURL != "postgres://postgres@127.0.0.1:5432/hotline?sslmode=disable" {
		t.Fatalf("config %+v", c)
	}
	if c.Language != "ru" || c.TimeZone == nil || c.TimeZone.String() != "Europe/Moscow" {
		t.Fatalf("centre's language %q and zone %v, want ru and Europe/Moscow by default", c.Language, c.TimeZone)
	}
	if c.BaseCurrency != "RUB" {
		t.Fatalf("base currency %q, want RUB by default", c.BaseCurrency)
	}
}

func TestLanguageAndZoneSettings(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	load := configFlags(fs, func(k string) string {
		return map[string]string{"HOTLINE_LANGUAGE": " EN", "HOTLINE_TIME_ZONE": "Asia/Yekaterinburg", "HOTLINE_BASE_CURRENCY": " kzt"}[k]
	})
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "en" || c.TimeZone.String() != "Asia/Yekaterinburg" || c.BaseCurrency != "KZT" {
		t.Fatalf("language %q, zone %v, base currency %q", c.Language, c.TimeZone, c.BaseCurrency)
	}
}

func TestUserAddAndTokenCreate(t *testing.T) {
	dsn := pgtest.NewDSN(t)
	vars := map[string]string{"HOTLINE_DATABASE_URL": dsn}
	ctx := context.Background()

	e, out, _ := testEnv(vars, "given-password\n")
	if err := run(ctx, []string{"user", "add", "--login", "Olga", "--role", "agent", "--name", "Olga K", "--email", "olga@example.ru", "--endpoint", "PJSIP/1001", "--endpoint", "PJSIP/1002"}, e); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "given-password") {
		t.Fatal("a given password was printed")
	}
	e, out, _ = testEnv(vars, "")
	if err := run(ctx, []string{"user", "add", "--login", "boss", "--role", "admin"}, e); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password printed: %s", out)
	}
	e, _, _ = testEnv(vars, "")
	if err := run(ctx, []string{"user", "add", "--login", "x1", "--role", "king"}, e); err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad role: %v", err)
	}
	e, _, _ = testEnv(vars, "")
	if err := run(ctx, []string{"user", "add", "--login", "x2", "--role", "agent", "--email", "not an address"}, e); err == nil || !strings.Contains(err.Error(), "email") {
		t.Fatalf("bad e-mail: %v", err)
	}

	st := pgtest.Open(t, dsn, postgres.Options{})
	for login, pw := range map[string]string{"olga": "given-password", "boss": m[1]} {
		u, hash, err := st.Users.GetUserByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := auth.CheckPassword(hash, pw); !ok {
			t.Errorf("%s: password does not match", login)
		}
		if login == "olga" && (u.Role != crm.RoleAgent || u.Name != "Olga K" || len(u.Endpoints) != 2 || u.Email != "olga@example.ru") {
			t.Errorf("olga stored as %+v", u)
		}
	}

	e, out, _ = testEnv(vars, "")
	if err := run(ctx, []string{"token", "create", "--user", "olga", "--name", "crm-sync"}, e); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	u, err := st.Users.UserByAPIToken(ctx, auth.HashToken(token))
	if err != nil || u.Login != "olga" {
		t.Fatalf("printed token %q does not authenticate olga: %v %+v", token, err, u)
	}
	e, _, _ = testEnv(vars, "")
	if err := run(ctx, []string{"token", "create", "--user", "nobody"}, e); err == nil {
		t.Fatal("token for an unknown user")
	}
}

func TestMigrateDownNeedsAllowDown(t *testing.T) {
	dsn := pgtest.NewDSN(t)
	vars := map[string]string{"HOTLINE_DATABASE_URL": dsn}
	e, _, _ := testEnv(vars, "")
	err := run(context.Background(), []string{"migrate", "down"}, e)
	if err == nil || !strings.Contains(err.Error(), "--allow-down") {
		t.Fatalf("down without --allow-down: %v", err)
	}
	e, out, _ := testEnv(vars, "")
	if err := run(context.Background(), []string{"migrate", "status"}, e); err != nil || out.String() == "" {
		t.Fatalf("status: %v %q", err, out)
	}
	ctx := context.Background()
	before, err := postgres.MigrateVersion(ctx, dsn)
	if err != nil || before < 1 {
		t.Fatalf("version %d: %v", before, err)
	}
	e, _, _ = testEnv(vars, "")
	if err := run(ctx, []string{"migrate", "down", "--allow-down", "--steps", "1"}, e); err != nil {
		t.Fatalf("down: %v", err)
	}
	e, _, _ = testEnv(vars, "")
	if err := run(ctx, []string{"migrate", "up"}, e); err != nil {
		t.Fatalf("up: %v", err)
	}
	if after, err := postgres.MigrateVersion(ctx, dsn); err != nil || after != before {
		t.Fatalf("version after down+up %d, want %d: %v", after, before, err)
	}
	e, out, _ = testEnv(vars, "")
	if err := run(context.Background(), []string{"version"}, e); err != nil || !strings.HasPrefix(out.String(), "hotline ") {
		t.Fatalf("version: %v %q", err, out)
	}
}

func TestServeDemoAndGracefulShutdown(t *testing.T) {
	dsn := pgtest.NewEmptyDSN(t)
	// the spool, and the demo logins beside it, go to the test's directory,
	// not to var/ in the source tree
	spool := filepath.Join(t.TempDir(), "var", "spool")
	vars := map[string]string{"HOTLINE_DATABASE_URL": dsn, "HOTLINE_HTTP_ADDR": "127.0.0.1:0", "HOTLINE_METRICS_ADDR": "127.0.0.1:0", "HOTLINE_LOG_LEVEL": "warn",
		"HOTLINE_SPOOL_DIR": spool}
	e, out, errOut := testEnv(vars, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--demo"}, e) }()
	var url string
	deadline := time.Now().Add(60 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if m := regexp.MustCompile(`running on (http://\S+)`).FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if url == "" {
		cancel()
		t.Fatalf("serve did not start: %s %s", out, errOut)
	}
	for _, want := range []string{"LOGIN", "admin", "supervisor", "agent", "PJSIP/1001"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo logins lack %q: %s", want, out)
		}
	}
	waitReady(t, url)
	if _, err := os.Stat(filepath.Join(filepath.Dir(spool), "demo-logins.txt")); err != nil {
		t.Errorf("demo logins not kept beside the spool: %v", err)
	}
	e2, _, _ := testEnv(vars, "")
	if err := run(context.Background(), []string{"demo", "seed"}, e2); err == nil || !strings.Contains(err.Error(), "already has users") {
		t.Errorf("second demo seed: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}

func TestSeveralARINodesAreAccepted(t *testing.T) {
	for _, v := range []string{
		"http://10.0.0.5:8088",
		"pbx1=http://10.0.0.5:8088,pbx2=http://10.0.0.6:8088",
		"http://10.0.0.5:8088, http://10.0.0.6:8088/",
	} {
		var c Config
		if err := checkARIURL(v, &c); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	for _, v := range []string{"pbx 1=http://x:8088", "pbx1=ftp://x", "http://u:secret@x:8088,http://y:8088"} {
		var c Config
		err := checkARIURL(v, &c)
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: err = %v, want a refusal without the password", v, err)
		}
	}
}
