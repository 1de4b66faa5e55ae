package deploy

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"regexp"
	"strings"
)

// Severity says whether a Problem stops Hotline from working (Error) or is
// a risk or a missing feature (Warning).
type Severity string

// Severities of a Problem.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Problem is one finding about a configuration file.
type Problem struct {
	File     string
	Line     int // 0 when the problem is a missing line
	Severity Severity
	Message  string
}

// String formats the problem as file:line: severity: message.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Severity, p.Message)
	}
	return fmt.Sprintf("%s: %s: %s", p.File, p.Severity, p.Message)
}

// AsteriskOptions name what Hotline is configured to use on the PBX.
type AsteriskOptions struct {
	// App is the Stasis application name (HOTLINE_ARI_APP); "" means "hotline".
	App string
	// User is the ARI user Hotline logs in as (HOTLINE_ARI_USER); "" means
	// any user defined in ari.conf.
	User string
	// Password is HOTLINE_ARI_PASSWORD; when set, the user's password (or
	// its SHA-crypt hash) must match it. Never printed.
	Password string
}

// placeholder marks a password in the shipped samples that must be changed.
const placeholder = "CHANGE-ME"

// sampleARIHash is the crypt hash of the shipped ari.conf, of the password
// "CHANGE-ME-ari-password": a placeholder too.
const sampleARIHash = "$6$hotline.sample$sKQOjUfzr39h8ElWxfgrARUnHi.BsAuKcRsSASnLt9e9sN7eazPD6ijY6IkBHpx.0U8jGvP2UQwRA9a6Gjsn3."

// CheckAsterisk checks the Asterisk configuration files in fsys (for
// example os.DirFS("/etc/asterisk"), or fs.Sub(Files, "asterisk")) for what
// Hotline depends on: the HTTP server and ARI enabled, the ARI user, the
// linkedid in every channel (channelvars = CHANNEL(linkedid)), the Stasis
// entries for the survey and the status line, and dialplan jumps that land
// on existing contexts. It returns an error only when a file cannot be read
// or parsed.
func CheckAsterisk(fsys fs.FS, opts AsteriskOptions) ([]Problem, error) {
	if opts.App == "" {
		opts.App = "hotline"
	}
	var out []Problem
	for _, chk := range []struct {
		file     string
		required bool
		check    func(*Conf, AsteriskOptions) []Problem
	}{
		{"http.conf", true, checkHTTP},
		{"ari.conf", true, checkARI},
		{"extensions.conf", false, checkDialplan},
		{"pjsip.conf", false, checkPJSIP},
		{"modules.conf", false, checkModules},
		{"res_http_media_cache.conf", false, checkMediaCache},
	} {
		c, err := loadConf(fsys, chk.file)
		if errors.Is(err, fs.ErrNotExist) {
			sev := Warning
			if chk.required {
				sev = Error
			}
			out = append(out, Problem{File: chk.file, Severity: sev, Message: "file is missing"})
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, chk.check(c, opts)...)
	}
	return out, nil
}

func loadConf(fsys fs.FS, name string) (*Conf, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseConf(name, f)
}

func problem(c *Conf, line int, sev Severity, format string, args ...any) Problem {
	return Problem{File: c.Name, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)}
}

func checkHTTP(c *Conf, _ AsteriskOptions) []Problem {
	g := c.Find("general")
	if len(g) == 0 {
		return []Problem{problem(c, 0, Error, "no [general] section: the HTTP server (and so ARI) is off")}
	}
	if v, _ := c.Value(g[0], "enabled"); !IsTrue(v) {
		return []Problem{problem(c, g[0].Line, Error, "[general] enabled is not yes: ARI is unreachable")}
	}
	tls, _ := c.Value(g[0], "tlsenable")
	if !IsTrue(tls) {
		if bind, _ := c.Value(g[0], "bindaddr"); !loopbackHost(bind) {
			return []Problem{problem(c, g[0].Line, Warning,
				"ARI answers plain HTTP on %s: the ARI password and every call cross the network in clear text; "+
					"enable TLS (tlsenable, tlscertfile, tlsprivatekey) and use https:// in HOTLINE_ARI_URL", orDefault(bind, "0.0.0.0"))}
		}
		return nil
	}
	var out []Problem
	for _, key := range []string{"tlscertfile", "tlsprivatekey"} {
		if v, _ := c.Value(g[0], key); v == "" {
			out = append(out, problem(c, g[0].Line, Error, "tlsenable = yes without %s: the TLS listener does not start", key))
		}
	}
	return out
}

// loopbackHost reports whether an http.conf bindaddr accepts connections
// from this host only.
func loopbackHost(addr string) bool {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip := net.ParseIP(strings.Trim(addr, "[]"))
	return addr == "localhost" || (ip != nil && ip.IsLoopback())
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func checkARI(c *Conf, opts AsteriskOptions) []Problem {
	var out []Problem
	g := c.Find("general")
	if len(g) == 0 {
		return []Problem{problem(c, 0, Error, "no [general] section: ARI is off")}
	}
	if v, _ := c.Value(g[0], "enabled"); !IsTrue(v) {
		out = append(out, problem(c, g[0].Line, Error, "[general] enabled is not yes: ARI is off"))
	}
	if v, _ := c.Value(g[0], "pretty"); IsTrue(v) {
		out = append(out, problem(c, g[0].Line, Warning, "pretty = yes makes every event several lines; use pretty = no"))
	}
	vars := strings.Join(c.Values(g[0], "channelvars"), ",")
	if !strings.Contains(strings.ReplaceAll(vars, " ", ""), "CHANNEL(linkedid)") {
		out = append(out, problem(c, g[0].Line, Error,
			"[general] lacks channelvars = CHANNEL(linkedid): Hotline must then read every channel's linkedid over REST"))
	}
	return append(out, checkARIUsers(c, opts)...)
}

func checkARIUsers(c *Conf, opts AsteriskOptions) []Problem {
	users := c.OfType("user")
	if opts.User != "" {
		u := c.FindTyped(opts.User, "user")
		if u == nil {
			return []Problem{problem(c, 0, Error, "no ARI user [%s] with type = user", opts.User)}
		}
		users = []*Section{u}
	}
	if len(users) == 0 {
		return []Problem{problem(c, 0, Error, "no ARI user (a section with type = user)")}
	}
	var out []Problem
	for _, u := range users {
		if v, _ := c.Value(u, "read_only"); IsTrue(v) {
			out = append(out, problem(c, u.Line, Error, "ARI user [%s] is read_only: Hotline cannot answer or play the survey", u.Name))
		}
		out = append(out, checkARIPassword(c, u, opts)...)
	}
	return out
}

// checkARIPassword: a password is set, is not the sample's, is kept as a
// crypt hash, and matches HOTLINE_ARI_PASSWORD when that is given.
func checkARIPassword(c *Conf, u *Section, opts AsteriskOptions) []Problem {
	pw, _ := c.Value(u, "password")
	format, _ := c.Value(u, "password_format")
	crypt := strings.EqualFold(format, "crypt")
	switch {
	case pw == "":
		return []Problem{problem(c, u.Line, Error, "ARI user [%s] has no password", u.Name)}
	case strings.Contains(pw, placeholder) || pw == sampleARIHash:
		return []Problem{problem(c, u.Line, Warning, "ARI user [%s] still has the sample password: change it", u.Name)}
	case crypt && !strings.HasPrefix(pw, "$"):
		return []Problem{problem(c, u.Line, Error,
			"ARI user [%s] has password_format = crypt but its password is not a crypt hash (make one with ari mkpasswd)", u.Name)}
	}
	var out []Problem
	if !crypt {
		out = append(out, problem(c, u.Line, Warning,
			"ARI user [%s] keeps its password in plain text: store its hash (password_format = crypt, ari mkpasswd)", u.Name))
	}
	if opts.Password == "" {
		return out
	}
	match, checked := pw == opts.Password, true
	if crypt {
		match, checked = cryptMatches(pw, opts.Password)
	}
	switch {
	case !checked:
		out = append(out, problem(c, u.Line, Warning,
			"ARI user [%s]: HOTLINE_ARI_PASSWORD cannot be checked against this kind of hash (only $5$ and $6$)", u.Name))
	case !match:
		out = append(out, problem(c, u.Line, Error,
			"ARI user [%s]: HOTLINE_ARI_PASSWORD does not match its password: Asterisk will refuse Hotline", u.Name))
	}
	return out
}

// jumpRe finds Goto/GotoIf/Gosub/GosubIf targets written as context,exten,priority.
var jumpRe = regexp.MustCompile(`(?:Goto|Gosub)(?:If)?\(([^)]*)\)`)

func checkDialplan(c *Conf, opts AsteriskOptions) []Problem {
	var out []Problem
	for _, kind := range []string{"survey", "status"} {
		want := fmt.Sprintf("Stasis(%s,%s", opts.App, kind)
		if !dialplanContains(c, want) {
			out = append(out, problem(c, 0, Warning, "no %s...) in the dialplan: callers never reach Hotline's %s", want, kind))
		}
	}
	contexts := map[string]bool{}
	for _, s := range c.Sections {
		contexts[s.Name] = true
		if s.Name != "globals" {
			continue
		}
		for _, e := range s.Entries {
			if strings.Contains(e.Value, placeholder) {
				out = append(out, problem(c, e.Line, Warning, "[globals] %s still has the sample value: set it", e.Key))
			}
		}
	}
	for _, s := range c.Sections {
		for _, e := range s.Entries {
			if e.Key != "exten" && e.Key != "same" {
				continue
			}
			for _, m := range jumpRe.FindAllStringSubmatch(e.Value, -1) {
				if ctx := jumpContext(m[1]); ctx != "" && !strings.Contains(ctx, "$") && !contexts[ctx] {
					out = append(out, problem(c, e.Line, Error, "jump to context %q, which does not exist", ctx))
				}
			}
		}
	}
	return out
}

// jumpContext returns the context of every target in a Goto/GotoIf/Gosub
// argument written with three parts (context,exten,priority), or "".
func jumpContext(arg string) string {
	if _, after, ok := strings.Cut(arg, "?"); ok {
		arg = after
	}
	for _, target := range strings.Split(arg, ":") {
		if parts := strings.Split(target, ","); len(parts) == 3 {
			return strings.TrimSpace(parts[0])
		}
	}
	return ""
}

func dialplanContains(c *Conf, s string) bool {
	for _, sec := range c.Sections {
		for _, e := range sec.Entries {
			if strings.Contains(strings.ReplaceAll(e.Value, " ", ""), s) {
				return true
			}
		}
	}
	return false
}

func checkPJSIP(c *Conf, _ AsteriskOptions) []Problem {
	var out []Problem
	for _, ep := range c.OfType("endpoint") {
		if v, ok := c.Value(ep, "dtmf_mode"); ok && v != "rfc4733" && v != "auto" && v != "auto_info" {
			out = append(out, problem(c, ep.Line, Warning,
				"endpoint [%s] dtmf_mode = %s: the survey reads RFC 4733 digits", ep.Name, v))
		}
		for _, key := range []string{"auth", "outbound_auth"} {
			if name, ok := c.Value(ep, key); ok && name != "" && c.FindTyped(name, "auth") == nil {
				out = append(out, problem(c, ep.Line, Error, "endpoint [%s] %s = %s, which is not a type = auth section", ep.Name, key, name))
			}
		}
		if aors, ok := c.Value(ep, "aors"); ok {
			for _, name := range strings.Split(aors, ",") {
				if name = strings.TrimSpace(name); c.FindTyped(name, "aor") == nil {
					out = append(out, problem(c, ep.Line, Error, "endpoint [%s] aors names %s, which is not a type = aor section", ep.Name, name))
				}
			}
		}
	}
	for _, a := range c.OfType("auth") {
		if pw, _ := c.Value(a, "password"); strings.Contains(pw, placeholder) {
			out = append(out, problem(c, a.Line, Warning, "auth [%s] still has the sample password: change it", a.Name))
		}
	}
	return out
}
