package deploy

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func mustParseFile(t *testing.T, name string) *Conf {
	t.Helper()
	f, err := os.Open("asterisk/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseConf(name, f)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return c
}

func mustParse(t *testing.T, text string) *Conf {
	t.Helper()
	c, err := ParseConf("test.conf", strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

func TestParseConfSyntax(t *testing.T) {
	c := mustParse(t, `; leading comment
[general]
enabled = yes ; trailing comment
password = a\;b
;-- a block comment
[notasection]
--;
#include "extra.conf"
[tmpl](!)
type = endpoint
context = one
[child](tmpl)
context = two
exten => 100,1,NoOp(x)
 same => n,Hangup()
`)
	if got := len(c.Sections); got != 3 {
		t.Fatalf("sections = %d, want 3 (block comment hides [notasection])", got)
	}
	g := c.Find("general")[0]
	if v, _ := c.Value(g, "enabled"); v != "yes" {
		t.Errorf("enabled = %q", v)
	}
	if v, _ := c.Value(g, "password"); v != "a;b" {
		t.Errorf(`escaped \; gives %q, want "a;b"`, v)
	}
	if !slices.Equal(c.Includes, []string{"extra.conf"}) {
		t.Errorf("includes = %v", c.Includes)
	}
	if len(c.Find("tmpl")) != 0 {
		t.Error("Find returned a template")
	}
	child := c.Find("child")[0]
	if v, _ := c.Value(child, "type"); v != "endpoint" {
		t.Errorf("inherited type = %q", v)
	}
	if v, _ := c.Value(child, "context"); v != "two" {
		t.Errorf("own value must override the template's, got %q", v)
	}
	if e := child.Entries[1]; e.Key != "exten" || !e.Object || e.Value != "100,1,NoOp(x)" {
		t.Errorf("exten entry = %+v", e)
	}
	if c.FindTyped("child", "endpoint") != child || len(c.OfType("endpoint")) != 1 {
		t.Error("FindTyped/OfType do not see the inherited type")
	}
}

func TestParseConfRejectsBadLines(t *testing.T) {
	for name, text := range map[string]string{
		"outside a section": "enabled = yes\n",
		"no equals":         "[general]\nenabled\n",
		"unclosed header":   "[general\n",
		"junk after header": "[general] x\n",
		"unclosed block":    "[general]\n;-- never closed\n",
		"exec directive":    "#exec /bin/true\n",
		"empty key":         "[general]\n= yes\n",
	} {
		if _, err := ParseConf("bad.conf", strings.NewReader(text)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestIsTrue(t *testing.T) {
	for _, v := range []string{"yes", "YES", "true", "y", "t", "1", "on", " yes "} {
		if !IsTrue(v) {
			t.Errorf("IsTrue(%q) = false", v)
		}
	}
	for _, v := range []string{"no", "", "0", "off", "false", "maybe"} {
		if IsTrue(v) {
			t.Errorf("IsTrue(%q) = true", v)
		}
	}
}

// Every shipped Asterisk file parses, and the shipped set has no errors for
// Hotline: only the warnings about sample passwords.
func TestShippedAsteriskConfigPassesCheck(t *testing.T) {
	for _, name := range []string{"http.conf", "ari.conf", "pjsip.conf", "extensions.conf", "queues.conf", "modules.conf", "rtp.conf", "res_http_media_cache.conf"} {
		mustParseFile(t, name)
	}
	sub, err := fs.Sub(Files, "asterisk")
	if err != nil {
		t.Fatal(err)
	}
	problems, err := CheckAsterisk(sub, AsteriskOptions{User: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	var passwords int
	for _, p := range problems {
		if p.Severity == Error {
			t.Errorf("shipped config: %s", p)
		}
		if strings.Contains(p.Message, "sample password") {
			passwords++
		}
	}
	// ari.conf user + 3 agents + callgen: each must be flagged until changed.
	if passwords != 5 {
		t.Errorf("%d sample-password warnings, want 5: %v", passwords, problems)
	}
}

func TestARIConf(t *testing.T) {
	c := mustParseFile(t, "ari.conf")
	g := c.Find("general")
	if len(g) != 1 {
		t.Fatalf("[general] sections = %d", len(g))
	}
	for key, want := range map[string]string{"enabled": "yes", "pretty": "no", "channelvars": "CHANNEL(linkedid)"} {
		if v, _ := c.Value(g[0], key); v != want {
			t.Errorf("[general] %s = %q, want %q", key, v, want)
		}
	}
	if v, ok := c.Value(g[0], "allowed_origins"); !ok || v == "" {
		t.Error("[general] allowed_origins is missing")
	}
	u := c.FindTyped("hotline", "user")
	if u == nil {
		t.Fatal("no [hotline] user")
	}
	if v, _ := c.Value(u, "read_only"); IsTrue(v) {
		t.Error("the hotline ARI user must not be read-only")
	}
	if v, _ := c.Value(u, "password_format"); v != "crypt" {
		t.Errorf("the hotline ARI user's password_format = %q, want crypt (a hash, not the password)", v)
	}
	h := mustParseFile(t, "http.conf").Find("general")[0]
	hc := mustParseFile(t, "http.conf")
	// plain HTTP on loopback only; ARI reaches Hotline over TLS
	for key, want := range map[string]string{"enabled": "yes", "bindaddr": "127.0.0.1", "bindport": "8088",
		"tlsenable": "yes", "tlsbindaddr": "0.0.0.0:8089"} {
		if v, _ := hc.Value(h, key); v != want {
			t.Errorf("http.conf %s = %q, want %q", key, v, want)
		}
	}
}

// ARI over the network only with TLS; the ARI password kept as a crypt
// hash, and HOTLINE_ARI_PASSWORD checked against it.
func TestCheckAsteriskARISecurity(t *testing.T) {
	const pw = "a long ARI password"
	ari := func(password, format string) string {
		return "[general]\nenabled = yes\nchannelvars = CHANNEL(linkedid)\n[hotline]\ntype = user\npassword = " + password +
			"\npassword_format = " + format + "\n"
	}
	pwHash := "$6$abc$MtSdWSZbhct2oe.SOqOUM2M/GA/uj5.vyVtJgRHgKi9uqXuWuJqOYE7H/YlsYGVg/YYzDV0xt3fEIwYt580.5." // "pw"
	check := func(file, text, password string) []Problem {
		t.Helper()
		fsys := fstest.MapFS{}
		for _, name := range []string{"http.conf", "ari.conf"} {
			b, err := os.ReadFile("asterisk/" + name)
			if err != nil {
				t.Fatal(err)
			}
			fsys[name] = &fstest.MapFile{Data: b}
		}
		fsys[file] = &fstest.MapFile{Data: []byte(text)}
		problems, err := CheckAsterisk(fsys, AsteriskOptions{User: "hotline", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return problems
	}
	cases := []struct {
		name, file, text, password string
		sev                        Severity
		want                       string
	}{
		{"plain http on the network", "http.conf", "[general]\nenabled = yes\nbindaddr = 0.0.0.0\n", "", Warning, "clear text"},
		{"no bindaddr", "http.conf", "[general]\nenabled = yes\n", "", Warning, "clear text"},
		{"tls without a key", "http.conf", "[general]\nenabled = yes\ntlsenable = yes\ntlscertfile = /k/a.crt\n", "", Error, "tlsprivatekey"},
		{"crypt without a hash", "ari.conf", ari("s3cret-s3cret", "crypt"), "", Error, "not a crypt hash"},
		{"plain password", "ari.conf", ari("s3cret-s3cret", "plain"), "", Warning, "plain text"},
		{"sample hash", "ari.conf", ari(sampleARIHash, "crypt"), "", Warning, "sample password"},
		{"hash of another password", "ari.conf", ari(pwHash, "crypt"), pw, Error, "HOTLINE_ARI_PASSWORD does not match"},
		{"another plain password", "ari.conf", ari("s3cret-s3cret", "plain"), pw, Error, "HOTLINE_ARI_PASSWORD does not match"},
		{"md5 hash", "ari.conf", ari("$1$abc$xyz", "crypt"), pw, Warning, "cannot be checked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			problems := check(tc.file, tc.text, tc.password)
			if !hasProblem(problems, tc.sev, tc.want) {
				t.Errorf("want a %s containing %q, got %v", tc.sev, tc.want, problems)
			}
			for _, p := range problems {
				if tc.password != "" && strings.Contains(p.String(), tc.password) {
					t.Errorf("a problem repeats HOTLINE_ARI_PASSWORD: %s", p)
				}
			}
		})
	}
	// the right password against its hash, and the shipped http.conf: no findings
	for _, p := range check("ari.conf", ari(pwHash, "crypt"), "pw") {
		if strings.Contains(p.File, "ari.conf") || strings.Contains(p.File, "http.conf") {
			t.Errorf("matching hash and TLS: unexpected %s", p)
		}
	}
}

// checkWith runs CheckAsterisk on the shipped files with one file replaced.
func checkWith(t *testing.T, file, text string) []Problem {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"http.conf", "ari.conf", "pjsip.conf", "extensions.conf"} {
		b, err := os.ReadFile("asterisk/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	if text == "" {
		delete(fsys, file)
	} else {
		fsys[file] = &fstest.MapFile{Data: []byte(text)}
	}
	problems, err := CheckAsterisk(fsys, AsteriskOptions{User: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

func hasProblem(problems []Problem, sev Severity, substr string) bool {
	return slices.ContainsFunc(problems, func(p Problem) bool {
		return p.Severity == sev && strings.Contains(p.Message, substr)
	})
}

func TestCheckAsteriskFindsFaults(t *testing.T) {
	ari := "[general]\nenabled = yes\npretty = yes\n[hotline]\ntype = user\npassword = s3cret\nread_only = yes\n"
	cases := []struct {
		name, file, text string
		sev              Severity
		want             string
	}{
		{"no channelvars", "ari.conf", ari, Error, "channelvars = CHANNEL(linkedid)"},
		{"read-only user", "ari.conf", ari, Error, "read_only"},
		{"pretty", "ari.conf", ari, Warning, "pretty = yes"},
		{"ari disabled", "ari.conf", "[general]\nenabled = no\nchannelvars = CHANNEL(linkedid)\n[hotline]\ntype=user\npassword=x\n", Error, "ARI is off"},
		{"wrong user", "ari.conf", "[general]\nenabled = yes\nchannelvars = CHANNEL(linkedid)\n[other]\ntype=user\npassword=x\n", Error, "no ARI user [hotline]"},
		{"no password", "ari.conf", "[general]\nenabled = yes\nchannelvars = CHANNEL(linkedid)\n[hotline]\ntype=user\n", Error, "no password"},
		{"http off", "http.conf", "[general]\nenabled = no\n", Error, "ARI is unreachable"},
		{"http missing", "http.conf", "", Error, "file is missing"},
		{"no survey", "extensions.conf", "[from-trunk]\nexten => 1,1,Stasis(hotline,status)\n", Warning, "Stasis(hotline,survey"},
		{"no status", "extensions.conf", "[from-trunk]\nexten => 1,1,Stasis(hotline,survey,1)\n", Warning, "Stasis(hotline,status"},
		{"bad jump", "extensions.conf", "[from-trunk]\nexten => 1,1,GotoIf($[1]?nowhere,s,1)\n", Error, `context "nowhere"`},
		{"bad aor", "pjsip.conf", "[a]\ntype = endpoint\naors = missing\n", Error, "aors names missing"},
		{"bad auth", "pjsip.conf", "[a]\ntype = endpoint\nauth = missing\n", Error, "auth = missing"},
		{"sample token", "extensions.conf", "[globals]\nHOTLINE_ROUTE_TOKEN=CHANGE-ME-x\n", Warning, "HOTLINE_ROUTE_TOKEN still has the sample value"},
		{"inband dtmf", "pjsip.conf", "[a]\ntype = endpoint\ndtmf_mode = inband\n", Warning, "dtmf_mode = inband"},
		{"media cache off", "modules.conf", "[modules]\nautoload = yes\nnoload = res_http_media_cache.so\n", Error, "noload = res_http_media_cache.so"},
		{"autoload off", "modules.conf", "[modules]\nautoload = no\nrequire = res_ari.so\n", Error, "res_http_media_cache.so is not loaded"},
		{"media cache not required", "modules.conf", "[modules]\nautoload = yes\n", Warning, "require = res_http_media_cache.so"},
		{"slow media fetch", "res_http_media_cache.conf", "[general]\ntimeout_secs = 60\n", Warning, "timeout_secs = 60"},
		{"media cache without http", "res_http_media_cache.conf", "[general]\nprotocols = ftp\n", Error, "protocols = ftp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			problems := checkWith(t, tc.file, tc.text)
			if !hasProblem(problems, tc.sev, tc.want) {
				t.Errorf("want a %s containing %q, got %v", tc.sev, tc.want, problems)
			}
		})
	}
}

func TestPJSIPConf(t *testing.T) {
	c := mustParseFile(t, "pjsip.conf")
	if tr := c.FindTyped("transport-udp", "transport"); tr == nil {
		t.Error("no udp transport")
	} else if v, _ := c.Value(tr, "protocol"); v != "udp" {
		t.Errorf("transport protocol = %q", v)
	}
	for _, agent := range []string{"1001", "1002", "1003"} {
		ep := c.FindTyped(agent, "endpoint")
		if ep == nil {
			t.Errorf("no endpoint %s", agent)
			continue
		}
		want := map[string]string{"context": "agents", "aors": agent, "auth": agent + "-auth",
			"dtmf_mode": "rfc4733", "direct_media": "no", "callerid": `"Agent ` + agent + `" <` + agent + `>`}
		for key, v := range want {
			if got, _ := c.Value(ep, key); got != v {
				t.Errorf("endpoint %s %s = %q, want %q", agent, key, got, v)
			}
		}
		if a := c.FindTyped(agent+"-auth", "auth"); a == nil {
			t.Errorf("no auth %s-auth", agent)
		} else if u, _ := c.Value(a, "username"); u != agent {
			t.Errorf("auth %s-auth username = %q", agent, u)
		}
	}
}

func TestPJSIPTrunks(t *testing.T) {
	c := mustParseFile(t, "pjsip.conf")
	trunks := map[string]struct{ context, match string }{
		"customers": {"from-trunk", "127.0.0.2"},
		"pstn":      {"from-pstn", "127.0.0.3"},
	}
	for name, want := range trunks {
		ep := c.FindTyped(name, "endpoint")
		if ep == nil {
			t.Fatalf("no trunk endpoint %s", name)
		}
		if v, _ := c.Value(ep, "context"); v != want.context {
			t.Errorf("trunk %s context = %q, want %q", name, v, want.context)
		}
		if id := identifyFor(c, name); id == nil {
			t.Errorf("trunk %s has no identify section", name)
		} else if v, _ := c.Value(id, "match"); v != want.match {
			t.Errorf("trunk %s identify match = %q, want %q", name, v, want.match)
		}
	}
	if aor := c.FindTyped("pstn", "aor"); aor == nil {
		t.Error("no pstn aor")
	} else if v, _ := c.Value(aor, "contact"); v != "sip:127.0.0.3:5090" {
		t.Errorf("pstn contact = %q", v)
	}
}

func TestPJSIPCallgen(t *testing.T) {
	c := mustParseFile(t, "pjsip.conf")
	// callgen is identified by its digest username, which must be the
	// endpoint's own name for auth_username identification to find it.
	cg := c.FindTyped("callgen", "endpoint")
	if cg == nil {
		t.Fatal("no callgen endpoint")
	}
	if v, _ := c.Value(cg, "identify_by"); v != "auth_username" {
		t.Errorf("callgen identify_by = %q", v)
	}
	authName, _ := c.Value(cg, "auth")
	if a := c.FindTyped(authName, "auth"); a == nil {
		t.Errorf("callgen auth %q missing", authName)
	} else if u, _ := c.Value(a, "username"); u != "callgen" {
		t.Errorf("callgen auth username = %q, want the endpoint name", u)
	}
	if g := c.FindTyped("global", "global"); g == nil {
		t.Error("no [global]")
	} else if v, _ := c.Value(g, "endpoint_identifier_order"); !strings.Contains(v, "auth_username") {
		t.Errorf("endpoint_identifier_order = %q lacks auth_username", v)
	}
}

func identifyFor(c *Conf, endpoint string) *Section {
	for _, s := range c.OfType("identify") {
		if v, _ := c.Value(s, "endpoint"); v == endpoint {
			return s
		}
	}
	return nil
}

// dialplan maps context -> extension -> its lines (exten => and same =>).
func dialplan(t *testing.T) map[string]map[string][]string {
	t.Helper()
	c := mustParseFile(t, "extensions.conf")
	out := map[string]map[string][]string{}
	for _, s := range c.Sections {
		if s.Name == "general" || s.Name == "globals" {
			continue
		}
		exts := map[string][]string{}
		var cur string
		for _, e := range s.Entries {
			switch e.Key {
			case "exten":
				cur, _, _ = strings.Cut(e.Value, ",")
				exts[cur] = append(exts[cur], e.Value)
			case "same":
				if cur == "" {
					t.Fatalf("line %d: same => before any exten =>", e.Line)
				}
				exts[cur] = append(exts[cur], e.Value)
			}
		}
		out[s.Name] = exts
	}
	return out
}

func TestExtensionsConf(t *testing.T) {
	dp := dialplan(t)
	for _, ctx := range []string{"from-trunk", "from-pstn", "agents", "hotline-post-call", "hotline-route"} {
		if _, ok := dp[ctx]; !ok {
			t.Errorf("context [%s] is missing", ctx)
		}
	}
	joined := func(ctx, exten string) string { return strings.Join(dp[ctx][exten], "\n") }
	// 7001: Dial with g, then the survey only when the agent answered.
	direct := joined("from-trunk", "7001")
	for _, want := range []string{"Dial(PJSIP/1001,20,g)", `"${DIALSTATUS}" = "ANSWER"`, "hotline-post-call,survey,1"} {
		if !strings.Contains(direct, want) {
			t.Errorf("from-trunk 7001 lacks %s:\n%s", want, direct)
		}
	}
	queue := joined("from-trunk", "7000")
	for _, want := range []string{"Gosub(hotline-route,s,1)", "Set(QUEUE_PRIO=${ROUTE_PRIORITY})", "Queue(support,c", "MEMBERINTERFACE", "hotline-post-call,survey,1"} {
		if !strings.Contains(queue, want) {
			t.Errorf("from-trunk 7000 lacks %s:\n%s", want, queue)
		}
	}
	if s := joined("hotline-post-call", "survey"); !strings.Contains(s, "Stasis(hotline,survey,${HOTLINE_SURVEY})") {
		t.Errorf("post-call survey does not enter Stasis(hotline,survey,<id>):\n%s", s)
	}
	if s := joined("from-trunk", "7010"); !strings.Contains(s, "Stasis(hotline,status)") || !strings.Contains(s, "STASISSTATUS") {
		t.Errorf("status line must enter Stasis(hotline,status) and handle failure:\n%s", s)
	}
	route := joined("hotline-route", "s")
	for _, want := range []string{"CURLOPT(conntimeout)", "CURLOPT(httptimeout)", "/api/v1/lookup?number=${URIENCODE(${CALLERID(num)})}",
		"Authorization: Bearer", "${SHIFT(HINT)}", "Set(ROUTE_PRIORITY=0)", "Return()"} {
		if !strings.Contains(route, want) {
			t.Errorf("routing hint lacks %s", want)
		}
	}
	if s := joined("from-trunk", "7003"); !strings.Contains(s, "Gosub(hotline-route,s,1)") || !strings.Contains(s, "Goto(7000,queue)") {
		t.Errorf("7003 must ask the hint and fall back to the queue:\n%s", s)
	}
	for _, pat := range []string{"_+X.", "_8X."} {
		if s := joined("agents", pat); !strings.Contains(s, "Dial(PJSIP/${EXTEN}@pstn") {
			t.Errorf("agents %s does not go out through pstn: %q", pat, s)
		}
	}
	if s := joined("agents", "_100[1-9]"); !strings.Contains(s, "Dial(PJSIP/${EXTEN}") {
		t.Errorf("agents cannot call each other: %q", s)
	}
	checkPriorities(t, dp)
}

// checkPriorities: each extension starts at priority 1, and every jump
// inside a context (?label, exten,priority or exten,label) lands on an
// existing extension and label.
func checkPriorities(t *testing.T, dp map[string]map[string][]string) {
	t.Helper()
	labelRe := regexp.MustCompile(`^n\(([a-z]+)\)`)
	sameExten := regexp.MustCompile(`\?([a-z]+)\)`)
	otherExten := regexp.MustCompile(`(?:\?|:|Goto\()([0-9]+),([a-z0-9]+)\)`)
	labels := map[string]map[string]bool{} // context/exten -> labels
	for ctx, exts := range dp {
		for ext, lines := range exts {
			if _, rest, _ := strings.Cut(lines[0], ","); !strings.HasPrefix(rest, "1,") {
				t.Errorf("[%s] %s does not start at priority 1: %q", ctx, ext, lines[0])
			}
			labels[ctx+"/"+ext] = map[string]bool{"1": true}
			for _, l := range lines[1:] {
				if m := labelRe.FindStringSubmatch(l); m != nil {
					labels[ctx+"/"+ext][m[1]] = true
				}
			}
		}
	}
	for ctx, exts := range dp {
		for ext, lines := range exts {
			for _, l := range lines {
				for _, m := range sameExten.FindAllStringSubmatch(l, -1) {
					if !labels[ctx+"/"+ext][m[1]] {
						t.Errorf("[%s] %s jumps to missing label %q", ctx, ext, m[1])
					}
				}
				for _, m := range otherExten.FindAllStringSubmatch(l, -1) {
					if ls, ok := labels[ctx+"/"+m[1]]; !ok || !ls[m[2]] {
						t.Errorf("[%s] %s jumps to %s,%s, which does not exist", ctx, ext, m[1], m[2])
					}
				}
			}
		}
	}
}

func TestQueuesConf(t *testing.T) {
	c := mustParseFile(t, "queues.conf")
	q := c.Find("support")
	if len(q) != 1 {
		t.Fatalf("[support] sections = %d", len(q))
	}
	if v, _ := c.Value(q[0], "strategy"); v != "ringall" {
		t.Errorf("strategy = %q", v)
	}
	if v, _ := c.Value(q[0], "setinterfacevar"); !IsTrue(v) {
		t.Error("setinterfacevar must be yes: the dialplan surveys only answered queue calls")
	}
	var members []string
	for _, m := range c.Values(q[0], "member") {
		iface, _, _ := strings.Cut(m, ",")
		members = append(members, iface)
	}
	if !slices.Equal(members, []string{"PJSIP/1001", "PJSIP/1002"}) {
		t.Errorf("members = %v", members)
	}
	r := mustParseFile(t, "rtp.conf")
	g := r.Find("general")[0]
	if a, _ := r.Value(g, "rtpstart"); a != "10000" {
		t.Errorf("rtpstart = %q", a)
	}
	if b, _ := r.Value(g, "rtpend"); b != "20000" {
		t.Errorf("rtpend = %q", b)
	}
	m := mustParseFile(t, "modules.conf")
	req := m.Values(m.Find("modules")[0], "require")
	for _, mod := range []string{"res_ari.so", "res_http_websocket.so", "app_stasis.so", "app_queue.so", "chan_pjsip.so"} {
		if !slices.Contains(req, mod) {
			t.Errorf("modules.conf does not require %s", mod)
		}
	}
}
