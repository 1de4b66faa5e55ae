package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var ariVars = map[string]string{"HOTLINE_ARI_URL": "http://127.0.0.1:8088", "HOTLINE_ARI_USER": "hotline", "HOTLINE_ARI_PASSWORD": "a-long-secret"}

func withVars(extra map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range ariVars {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// TestCheckConfigFreePBXDialplan: on a FreePBX-style configuration (phones
// in from-internal, outbound routes included from extensions_additional.conf,
// trunks named after carriers) check-config says the default dial context
// is missing and suggests the three settings; with them it passes.
func TestCheckConfigFreePBXDialplan(t *testing.T) {
	e, out, _ := testEnv(withVars(nil), "")
	err := run(context.Background(), []string{"check-config", "--asterisk-dir", "testdata/freepbx"}, e)
	if !errors.Is(err, errCheckFailed) {
		t.Fatalf("want a failed check, got %v\n%s", err, out)
	}
	for _, want := range []string{
		"error: dial context [agents] (HOTLINE_DIAL_CONTEXT) does not exist",
		"set HOTLINE_DIAL_CONTEXT=from-internal",
		"set HOTLINE_TRUNKS=PJSIP/rostelecom,PJSIP/mtt",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	e, out, _ = testEnv(withVars(map[string]string{"HOTLINE_DIAL_CONTEXT": "from-internal",
		"HOTLINE_TRUNKS": "rostelecom, mtt", "HOTLINE_INBOUND_CONTEXTS": "from-pstn"}), "")
	if err := run(context.Background(), []string{"check-config", "--asterisk-dir", "testdata/freepbx"}, e); err != nil {
		t.Fatalf("check-config with the suggested settings: %v\n%s", err, out)
	}
	if want := "ok: dial context [from-internal] dials +73011234567 through [outrt-1] exten _+7[3489]XXXXXXXXX"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if strings.Contains(out.String(), "HOTLINE_TRUNKS") {
		t.Errorf("the configured trunks are reported as missing:\n%s", out)
	}
	// contexts and Stasis entries of included files (extensions_custom.conf) count
	for _, avoid := range []string{`jump to context "ext-fax"`, "no Stasis(hotline,status"} {
		if strings.Contains(out.String(), avoid) {
			t.Errorf("output has %q although an included file provides it:\n%s", avoid, out)
		}
	}
}

// TestCheckConfigDialContextWithoutE164Pattern: a dial context whose
// patterns only take national numbers (_8X., _X. does not match '+') is
// an error, since click-to-call dials E.164.
func TestCheckConfigDialContextWithoutE164Pattern(t *testing.T) {
	dir := brokenCopy(t, "extensions.conf", func(s string) string {
		return strings.ReplaceAll(s, "exten => _+X.,1,", "exten => _X.,1,")
	})
	e, out, _ := testEnv(withVars(nil), "")
	err := run(context.Background(), []string{"check-config", "--asterisk-dir", dir}, e)
	if !errors.Is(err, errCheckFailed) || !strings.Contains(out.String(), "dial context [agents] has no extension matching +73011234567") {
		t.Fatalf("want the missing E.164 pattern reported, got %v:\n%s", err, out)
	}
}

func TestDialplanSettings(t *testing.T) {
	for _, bad := range []map[string]string{
		{"HOTLINE_DIAL_CONTEXT": "from internal"},
		{"HOTLINE_TRUNKS": "PJSIP/pstn,bad trunk"},
		{"HOTLINE_INBOUND_CONTEXTS": "from-pstn,[x]"},
		{"HOTLINE_OUTBOUND_CALLER_ID": `"Hotline" <not a number>`},
	} {
		for k := range bad {
			if _, err := loadConfig(bad); err == nil || !strings.Contains(err.Error(), "invalid "+k) {
				t.Errorf("%s=%q: got %v, want an error naming the variable", k, bad[k], err)
			}
		}
	}
	c, err := loadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dialplan.DialContext != "agents" || strings.Join(c.Dialplan.InboundContexts, ",") != "from-trunk,from-pstn" ||
		strings.Join(c.Dialplan.Trunks, ",") != "PJSIP/customers,PJSIP/pstn,PJSIP/callgen" || c.Dialplan.OutboundCallerID != "" {
		t.Errorf("defaults are not deploy/asterisk's names: %+v", c.Dialplan)
	}
	c, err = loadConfig(map[string]string{"HOTLINE_DIAL_CONTEXT": "from-internal", "HOTLINE_TRUNKS": "rostelecom, SIP/mtt",
		"HOTLINE_INBOUND_CONTEXTS": "from-pstn", "HOTLINE_OUTBOUND_CALLER_ID": `"Hotline" <+74950000000>`})
	if err != nil {
		t.Fatal(err)
	}
	want := DialplanNames{DialContext: "from-internal", Trunks: []string{"PJSIP/rostelecom", "SIP/mtt"},
		InboundContexts: []string{"from-pstn"}, OutboundCallerID: `"Hotline" <+74950000000>`}
	if !reflect.DeepEqual(c.Dialplan, want) {
		t.Errorf("got %+v, want %+v", c.Dialplan, want)
	}
}
