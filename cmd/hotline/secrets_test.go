package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestUsageNeverPrintsSecrets runs every command's --help and a mistyped
// flag with secrets in the environment: the secrets appear nowhere in the
// output, --help exits 0 and a mistyped flag exits 2.
func TestUsageNeverPrintsSecrets(t *testing.T) {
	secrets := map[string]string{
		"HOTLINE_DATABASE_URL":     "postgres://hotline:dbS3cretPW@db.example:5432/hotline",
		"HOTLINE_REDIS_URL":        "redis://:redisS3cretPW@redis.example:6379/0",
		"HOTLINE_ARI_PASSWORD":     "ariS3cretPW",
		"HOTLINE_METRICS_TOKEN":    "metricsS3cretToken0123456789",
		"HOTLINE_CALLGEN_PASSWORD": "sipS3cretPW",
		"HOTLINE_API_TOKEN":        "apiS3cretToken",
	}
	needles := []string{"dbS3cretPW", "redisS3cretPW", "ariS3cretPW", "metricsS3cretToken", "sipS3cretPW", "apiS3cretToken"}
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"serve", "--help"}, 0},
		{[]string{"serve", "-h"}, 0},
		{[]string{"serve", "--databse-url", "x"}, 2},
		{[]string{"serve", "--ari-password"}, 2},
		{[]string{"migrate", "status", "--help"}, 0},
		{[]string{"check-config", "--help"}, 0},
		{[]string{"check-config", "--nope"}, 2},
		{[]string{"callgen", "--help"}, 0},
		{[]string{"callgen", "--pasword", "x"}, 2},
		{[]string{"demo", "seed", "--typo"}, 2},
	}
	for _, tc := range cases {
		e, out, errOut := testEnv(secrets, "")
		code := exitCode(run(context.Background(), tc.args, e), e.stderr)
		all := out.String() + errOut.String()
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, all)
		}
		for _, n := range needles {
			if strings.Contains(all, n) {
				t.Errorf("%v printed the secret %q:\n%s", tc.args, n, all)
			}
		}
		if strings.Contains(strings.Join(tc.args, " "), "help") && !strings.Contains(all, "HOTLINE_") && tc.args[0] != "callgen" {
			t.Errorf("%v: no usage printed: %s", tc.args, all)
		}
	}
	e, _, errOut := testEnv(secrets, "")
	_ = run(context.Background(), []string{"serve", "--help"}, e)
	if !strings.Contains(errOut.String(), "ARI password [$HOTLINE_ARI_PASSWORD] (set in the environment)") {
		t.Errorf("usage does not say the ARI password is set:\n%s", errOut)
	}
}

// TestEnvironmentStillApplies checks that moving environment values out of
// flag defaults kept their effect and the flag's precedence.
func TestEnvironmentStillApplies(t *testing.T) {
	vars := map[string]string{"HOTLINE_ARI_PASSWORD": "from-env", "HOTLINE_METRICS_TOKEN": "0123456789abcdef0123"}
	e, _, _ := testEnv(vars, "")
	cfg, _, err := parse("x", []string{"--ari-password", "from-flag"}, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ARIPassword != "from-flag" || cfg.MetricsToken != "0123456789abcdef0123" {
		t.Fatalf("config %+v", cfg)
	}
	if exitCode(nil, io.Discard) != 0 {
		t.Fatal("success is not exit 0")
	}
}

func TestRedactPassword(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h/db":       "postgres://u:xxxxx@h/db",
		"redis://:pw@h:6379/0":       "redis://:xxxxx@h:6379/0",
		"postgres://postgres@h/db":   "postgres://postgres@h/db",
		"postgres://h/db?sslmode=no": "postgres://h/db?sslmode=no",
	} {
		if got := redactPassword(in); got != want {
			t.Errorf("redactPassword(%q) = %q, want %q", in, got, want)
		}
	}
}
