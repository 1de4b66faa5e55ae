package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestCheckConfigShippedSamplesPass(t *testing.T) {
	e, out, _ := testEnv(map[string]string{
		"HOTLINE_ARI_URL": "http://127.0.0.1:8088", "HOTLINE_ARI_USER": "hotline", "HOTLINE_ARI_PASSWORD": "a-long-secret",
	}, "")
	if err := run(context.Background(), []string{"check-config"}, e); err != nil {
		t.Fatalf("check-config on the shipped samples: %v\n%s", err, out)
	}
	s := out.String()
	for _, want := range []string{"hotline settings: ok", "0 error(s)", "deploy/asterisk/ari.conf:29: warning: ARI user [hotline] still has the sample password",
		"warning: HOTLINE_METRICS_TOKEN is empty"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

// brokenCopy copies the shipped samples to a directory and applies edit to
// one file.
func brokenCopy(t *testing.T, file string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir("../../deploy/asterisk")
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		b, err := os.ReadFile(filepath.Join("../../deploy/asterisk", en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if en.Name() == file {
			s = edit(s)
		}
		if err := os.WriteFile(filepath.Join(dir, en.Name()), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckConfigBrokenCopyFails(t *testing.T) {
	cases := []struct {
		file, want string
		edit       func(string) string
	}{
		{"ari.conf", "ari.conf", func(s string) string {
			return strings.ReplaceAll(s, "channelvars = CHANNEL(linkedid)", "")
		}},
		{"http.conf", "http.conf", func(s string) string {
			return strings.ReplaceAll(s, "enabled = yes", "enabled = no")
		}},
		{"ari.conf", "ari.conf: error: file is missing", nil},
	}
	for _, tc := range cases {
		dir := brokenCopy(t, tc.file, func(s string) string {
			if tc.edit == nil {
				return s
			}
			return tc.edit(s)
		})
		if tc.edit == nil {
			if err := os.Remove(filepath.Join(dir, tc.file)); err != nil {
				t.Fatal(err)
			}
		}
		e, out, _ := testEnv(nil, "")
		err := run(context.Background(), []string{"check-config", "--asterisk-dir", dir}, e)
		if !errors.Is(err, errCheckFailed) {
			t.Errorf("%s broken: err %v, want errCheckFailed\n%s", tc.file, err, out)
		}
		if !strings.Contains(out.String(), dir+"/"+tc.want) || !strings.Contains(out.String(), ": error: ") {
			t.Errorf("%s broken: output names no error in %s:\n%s", tc.file, tc.want, out)
		}
	}
}

func TestCheckConfigReportsBadSettings(t *testing.T) {
	e, out, _ := testEnv(map[string]string{"HOTLINE_HTTP_ADDR": "8080"}, "")
	err := run(context.Background(), []string{"check-config"}, e)
	if !errors.Is(err, errCheckFailed) || !strings.Contains(out.String(), "error: invalid HOTLINE_HTTP_ADDR") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
	e, out, _ = testEnv(map[string]string{"HOTLINE_ARI_URL": "http://pbx:8088", "HOTLINE_ARI_USER": "hotline",
		"HOTLINE_ARI_PASSWORD": "CHANGE-ME-ari-password"}, "")
	if err := run(context.Background(), []string{"check-config"}, e); !errors.Is(err, errCheckFailed) ||
		!strings.Contains(out.String(), "HOTLINE_ARI_PASSWORD") {
		t.Fatalf("sample ARI password: err %v, output:\n%s", err, out)
	}
	e, out, _ = testEnv(map[string]string{"HOTLINE_ARI_URL": "http://pbx:8088", "HOTLINE_ARI_USER": "hotline",
		"HOTLINE_ARI_PASSWORD": "a-long-secret", "HOTLINE_METRICS_TOKEN": "CHANGE-ME-metrics-token"}, "")
	if err := run(context.Background(), []string{"check-config"}, e); !errors.Is(err, errCheckFailed) ||
		!strings.Contains(out.String(), "error: HOTLINE_METRICS_TOKEN") || strings.Contains(out.String(), "CHANGE-ME-metrics-token") {
		t.Fatalf("sample metrics token: err %v, output:\n%s", err, out)
	}
	e, _, _ = testEnv(nil, "")
	if err := run(context.Background(), []string{"check-config", "--asterisk-dir", "/nonexistent-dir"}, e); err == nil ||
		errors.Is(err, errCheckFailed) || !strings.Contains(err.Error(), "--asterisk-dir") {
		t.Fatalf("missing dir: err %v", err)
	}
}

func TestCheckConfigProbesSIP(t *testing.T) {
	// Nothing answers on a closed loopback port: the probe fails the check.
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	e, out, _ := testEnv(nil, "")
	err = run(context.Background(), []string{"check-config", "--sip", "trunk=sip:127.0.0.1:" + strconv.Itoa(port)}, e)
	if !errors.Is(err, errCheckFailed) || !strings.Contains(out.String(), "sip trunk (sip:127.0.0.1:") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
}

// TestCheckConfigVoice: a synthesizer that is not installed is a warning;
// a media base URL on loopback with a remote Asterisk is a warning; the
// shipped modules.conf loads res_http_media_cache.
func TestCheckConfigVoice(t *testing.T) {
	e, out, _ := testEnv(map[string]string{"HOTLINE_TTS_COMMAND": "no-such-tts-program -o {out} {text}"}, "")
	_ = run(context.Background(), []string{"check-config"}, e)
	if !strings.Contains(out.String(), "warning: HOTLINE_TTS_COMMAND: no-such-tts-program is not installed") {
		t.Fatalf("missing synthesizer, output:\n%s", out)
	}
	e, out, _ = testEnv(map[string]string{"HOTLINE_TTS_COMMAND": "espeak-ng {text}"}, "")
	if err := run(context.Background(), []string{"check-config"}, e); !errors.Is(err, errCheckFailed) ||
		!strings.Contains(out.String(), "HOTLINE_TTS_COMMAND") || !strings.Contains(out.String(), "{out}") {
		t.Fatalf("template without {out}: err %v, output:\n%s", err, out)
	}
	e, out, _ = testEnv(map[string]string{"HOTLINE_MEDIA_BASE_URL": "http://10.0.0.2:8080/?x=1"}, "")
	if err := run(context.Background(), []string{"check-config"}, e); !errors.Is(err, errCheckFailed) ||
		!strings.Contains(out.String(), "HOTLINE_MEDIA_BASE_URL") {
		t.Fatalf("media base URL with a query: err %v, output:\n%s", err, out)
	}
	e, out, _ = testEnv(map[string]string{"HOTLINE_ARI_URL": "http://pbx:8088", "HOTLINE_ARI_USER": "hotline",
		"HOTLINE_ARI_PASSWORD": "a-long-secret", "HOTLINE_HTTP_ADDR": "0.0.0.0:8080"}, "")
	_ = run(context.Background(), []string{"check-config"}, e)
	if !strings.Contains(out.String(), "warning: Asterisk fetches the spoken prompts from http://127.0.0.1:8080") {
		t.Fatalf("remote Asterisk, no media base URL:\n%s", out)
	}
	if strings.Contains(out.String(), "res_http_media_cache") {
		t.Fatalf("the shipped samples lack res_http_media_cache:\n%s", out)
	}
}

// With --asterisk-dir, HOTLINE_ARI_PASSWORD must match ari.conf's crypt
// hash (a mismatch is Asterisk refusing Hotline at start); an http:// ARI
// URL to another host is flagged.
func TestCheckConfigARIPasswordAndTLS(t *testing.T) {
	const pw = "pw" // openssl passwd -6 -salt abc pw
	hash := "$6$abc$MtSdWSZbhct2oe.SOqOUM2M/GA/uj5.vyVtJgRHgKi9uqXuWuJqOYE7H/YlsYGVg/YYzDV0xt3fEIwYt580.5."
	dir := brokenCopy(t, "ari.conf", func(s string) string {
		return regexp.MustCompile(`(?m)^password = .*$`).ReplaceAllLiteralString(s, "password = "+hash)
	})
	for _, tc := range []struct {
		password string
		fails    bool
	}{{pw, false}, {"another-password", true}} {
		e, out, _ := testEnv(map[string]string{"HOTLINE_ARI_URL": "https://pbx.example.com:8089", "HOTLINE_ARI_USER": "hotline",
			"HOTLINE_ARI_PASSWORD": tc.password}, "")
		err := run(context.Background(), []string{"check-config", "--asterisk-dir", dir}, e)
		mismatch := strings.Contains(out.String(), "HOTLINE_ARI_PASSWORD does not match")
		if tc.fails != errors.Is(err, errCheckFailed) || tc.fails != mismatch || strings.Contains(out.String(), tc.password+"\n") {
			t.Errorf("password %q: err %v, output:\n%s", tc.password, err, out)
		}
	}
	e, out, _ := testEnv(map[string]string{"HOTLINE_ARI_URL": "http://10.0.0.5:8088", "HOTLINE_ARI_USER": "hotline",
		"HOTLINE_ARI_PASSWORD": pw}, "")
	_ = run(context.Background(), []string{"check-config", "--asterisk-dir", dir}, e)
	if !strings.Contains(out.String(), "warning: HOTLINE_ARI_URL http://10.0.0.5:8088 is plain HTTP") {
		t.Errorf("no warning about plain ARI to another host:\n%s", out)
	}
}
