package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The guide's snippets are the shipped configuration: every [section] an ini
// snippet names exists in a shipped Asterisk file, and every dialplan line it
// shows is in extensions.conf.
func TestReadmeSnippetsMatchShippedConfig(t *testing.T) {
	var shipped []*Conf
	for _, name := range []string{"http.conf", "ari.conf", "pjsip.conf", "extensions.conf", "queues.conf"} {
		shipped = append(shipped, mustParseFile(t, name))
	}
	ext, err := os.ReadFile("asterisk/extensions.conf")
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	shippedDialplan := norm(string(ext))
	blocks := regexp.MustCompile("(?s)```ini\n(.*?)```").FindAllStringSubmatch(readme(t), -1)
	if len(blocks) < 5 {
		t.Fatalf("only %d ini snippets in README.md", len(blocks))
	}
	for _, b := range blocks {
		text := b[1]
		if !strings.HasPrefix(strings.TrimSpace(text), "[") {
			text = "[snippet]\n" + text // dialplan lines shown without their context
		}
		c, err := ParseConf("README.md", strings.NewReader(text))
		if err != nil {
			t.Errorf("README snippet does not parse: %v\n%s", err, b[1])
			continue
		}
		for _, s := range c.Sections {
			if s.Name != "snippet" && !anyHasSection(shipped, s.Name) {
				t.Errorf("README names [%s], which no shipped Asterisk file has", s.Name)
			}
			for _, e := range s.Entries {
				if e.Key != "exten" && e.Key != "same" {
					continue
				}
				// Compare the application call: the README may leave out
				// the NoOp lines that come first in the shipped file.
				app := e.Value
				if e.Key == "exten" {
					_, app, _ = strings.Cut(app, ",")
				}
				_, app, _ = strings.Cut(app, ",")
				if !strings.Contains(shippedDialplan, norm(app)) {
					t.Errorf("README shows %q, which is not in asterisk/extensions.conf", app)
				}
			}
		}
	}
}

func anyHasSection(confs []*Conf, name string) bool {
	for _, c := range confs {
		for _, s := range c.Sections {
			if s.Name == name {
				return true
			}
		}
	}
	return false
}

// The guide covers what an administrator needs, and every file it points
// at exists.
func TestReadmeCoversTheDeployment(t *testing.T) {
	text := readme(t)
	for _, want := range []string{
		"channelvars = CHANNEL(linkedid)", "http.conf", "ari.conf", "docker compose up",
		"kubectl apply -k", "hotline user add", "sound:", "recording:", "8088", "res_http_media_cache", "HOTLINE_MEDIA_BASE_URL",
		"asterisk-core-sounds-ru-wav", "HOTLINE_TTS_COMMAND", "/admin/prompts",
		"hotline callgen", "forward-only", "Stasis(hotline,survey", "Stasis(hotline,status)",
		"/api/v1/lookup", "TLS",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("README.md does not mention %q", want)
		}
	}
	paths := regexp.MustCompile("`((?:asterisk|k8s|prometheus|grafana|postgres)/[A-Za-z0-9_./-]+)`").FindAllStringSubmatch(text, -1)
	for _, p := range paths {
		if _, err := os.Stat(p[1]); err != nil {
			t.Errorf("README.md points at %s: %v", p[1], err)
		}
	}
}
