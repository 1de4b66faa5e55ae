package deploy

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Dialplan is extensions.conf with the files it includes, as Asterisk
// loads it: a context written in several places is one context.
type Dialplan struct {
	Contexts map[string]*DialplanContext
	order    []string
}

// DialplanContext is one context: its extensions (patterns included) and
// the contexts it includes, in order.
type DialplanContext struct {
	Name     string
	File     string // where it is first defined
	Line     int
	Exts     []DialplanExten
	Includes []string
}

// DialplanExten is an extension's first priority; Apps are the
// applications of all its priorities written together (exten => then
// same => or exten => of the same pattern right after).
type DialplanExten struct {
	Exten string // "_+X.", "7001", ...
	App   string // "Dial(PJSIP/${EXTEN}@pstn,60)"
	Apps  []string
	File  string
	Line  int
}

// maxIncludeDepth bounds #include nesting and include => chains.
const maxIncludeDepth = 16

// LoadDialplan reads name (extensions.conf) from fsys and the files its
// #include and #tryinclude lines name, relative to fsys.
func LoadDialplan(fsys fs.FS, name string) (*Dialplan, error) {
	d := &Dialplan{Contexts: map[string]*DialplanContext{}}
	return d, d.load(fsys, name, false, 0, map[string]bool{})
}

func (d *Dialplan) load(fsys fs.FS, name string, optional bool, depth int, seen map[string]bool) error {
	name = path.Clean(strings.TrimPrefix(name, "/etc/asterisk/"))
	if depth > maxIncludeDepth || seen[name] || !fs.ValidPath(name) {
		return nil
	}
	seen[name] = true
	c, err := loadConf(fsys, name)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, s := range c.Sections {
		ctx := d.Contexts[s.Name]
		if ctx == nil {
			ctx = &DialplanContext{Name: s.Name, File: name, Line: s.Line}
			d.Contexts[s.Name] = ctx
			d.order = append(d.order, s.Name)
		}
		for _, e := range s.Entries {
			switch e.Key {
			case "include":
				ctx.Includes = append(ctx.Includes, strings.TrimSpace(strings.Split(e.Value, ",")[0]))
			case "exten":
				ext, rest, _ := strings.Cut(e.Value, ",")
				_, app, _ := strings.Cut(rest, ",")
				ext, app = strings.TrimSpace(ext), strings.TrimSpace(app)
				if n := len(ctx.Exts); n > 0 && ctx.Exts[n-1].Exten == ext {
					ctx.Exts[n-1].Apps = append(ctx.Exts[n-1].Apps, app)
					continue
				}
				ctx.Exts = append(ctx.Exts, DialplanExten{Exten: ext, App: app, Apps: []string{app}, File: name, Line: e.Line})
			case "same":
				if n := len(ctx.Exts); n > 0 {
					_, app, _ := strings.Cut(e.Value, ",")
					ctx.Exts[n-1].Apps = append(ctx.Exts[n-1].Apps, strings.TrimSpace(app))
				}
			}
		}
	}
	for _, inc := range c.Includes {
		if err := d.load(fsys, inc, true, depth+1, seen); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether context is defined (nil d: no).
func (d *Dialplan) has(context string) bool {
	return d != nil && d.Contexts[context] != nil
}

// contains reports whether an application call with s (spaces ignored)
// is anywhere in the dialplan (nil d: no).
func (d *Dialplan) contains(s string) bool {
	if d == nil {
		return false
	}
	for _, c := range d.Contexts {
		for _, e := range c.Exts {
			for _, a := range e.Apps {
				if strings.Contains(strings.ReplaceAll(a, " ", ""), s) {
					return true
				}
			}
		}
	}
	return false
}

// Match finds the extension that dials exten in context, following its
// include => lines in order as Asterisk does; it returns the extension,
// the context it is written in, and whether one matched.
func (d *Dialplan) Match(context, exten string) (DialplanExten, string, bool) {
	return d.match(context, exten, 0, map[string]bool{})
}

func (d *Dialplan) match(context, exten string, depth int, seen map[string]bool) (DialplanExten, string, bool) {
	ctx := d.Contexts[context]
	if ctx == nil || depth > maxIncludeDepth || seen[context] {
		return DialplanExten{}, "", false
	}
	seen[context] = true
	for _, e := range ctx.Exts {
		if MatchExten(e.Exten, exten) {
			return e, context, true
		}
	}
	for _, inc := range ctx.Includes {
		if e, where, ok := d.match(inc, exten, depth+1, seen); ok {
			return e, where, true
		}
	}
	return DialplanExten{}, "", false
}

// ContextsDialling lists the contexts (in file order) where exten matches
// an extension that dials out: one of its priorities runs Dial, or
// FreePBX's dialout macros and subroutines.
func (d *Dialplan) ContextsDialling(exten string) []string {
	var out []string
	for _, name := range d.order {
		if e, _, ok := d.Match(name, exten); ok && dialsOut(e.Apps) {
			out = append(out, name)
		}
	}
	return out
}

func dialsOut(apps []string) bool {
	for _, a := range apps {
		a = strings.ToLower(a)
		if strings.HasPrefix(a, "dial(") || strings.Contains(a, "dialout") {
			return true
		}
	}
	return false
}

// MatchExten reports whether Asterisk's extension pattern matches exten.
// A pattern starts with '_': X is any digit, Z 1-9, N 2-9, [a-c7] a set
// (with ranges), '.' one or more further characters, '!' zero or more;
// anything else is itself. '-' is ignored, as Asterisk does. Without '_'
// the extension must be equal (dashes ignored).
func MatchExten(pattern, exten string) bool {
	if !strings.HasPrefix(pattern, "_") {
		return strings.ReplaceAll(pattern, "-", "") == exten
	}
	return matchFrom(pattern[1:], exten)
}

func matchFrom(p, s string) bool {
	for len(p) > 0 {
		c := p[0]
		switch c {
		case '-':
			p = p[1:]
			continue
		case '.':
			return len(s) > 0
		case '!':
			return true
		}
		if len(s) == 0 {
			return false
		}
		var ok bool
		switch c {
		case 'X', 'x':
			ok, p = s[0] >= '0' && s[0] <= '9', p[1:]
		case 'Z', 'z':
			ok, p = s[0] >= '1' && s[0] <= '9', p[1:]
		case 'N', 'n':
			ok, p = s[0] >= '2' && s[0] <= '9', p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return false // Asterisk rejects the pattern
			}
			ok, p = inSet(p[1:end], s[0]), p[end+1:]
		default:
			ok, p = c == s[0], p[1:]
		}
		if !ok {
			return false
		}
		s = s[1:]
	}
	return len(s) == 0
}

// inSet reports whether b is in a [set] such as 1-5 or 2468.
func inSet(set string, b byte) bool {
	for i := 0; i < len(set); i++ {
		if i+2 < len(set) && set[i+1] == '-' {
			if b >= set[i] && b <= set[i+2] {
				return true
			}
			i += 2
			continue
		}
		if set[i] == b {
			return true
		}
	}
	return false
}

// DialContextOptions are the settings CheckDialContext checks.
type DialContextOptions struct {
	Context string // HOTLINE_DIAL_CONTEXT
	Number  string // an E.164 number as click-to-call dials it, e.g. +74957654321
}

// CheckDialContext says whether the dial context exists in the dialplan of
// fsys (extensions.conf and its includes) and has an extension that dials
// an E.164 number as Hotline's click-to-call sends it; when not, it
// suggests the contexts that do.
func CheckDialContext(fsys fs.FS, opts DialContextOptions) ([]Problem, error) {
	d, err := LoadDialplan(fsys, "extensions.conf")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // CheckAsterisk reports the missing file
	}
	if err != nil {
		return nil, err
	}
	const file = "extensions.conf"
	suggest := func() string {
		cands := d.ContextsDialling(opts.Number)
		if len(cands) == 0 {
			return "no context dials it: add an extension such as exten => _+X.,1,Dial(PJSIP/${EXTEN}@your-trunk,60)"
		}
		return fmt.Sprintf("contexts that dial it: %s; set HOTLINE_DIAL_CONTEXT=%s", strings.Join(cands, ", "), cands[0])
	}
	ctx := d.Contexts[opts.Context]
	if ctx == nil {
		return []Problem{{File: file, Severity: Error, Message: fmt.Sprintf(
			"dial context [%s] (HOTLINE_DIAL_CONTEXT) does not exist: click-to-call would be hung up as soon as the agent answers; %s",
			opts.Context, suggest())}}, nil
	}
	e, where, ok := d.Match(opts.Context, opts.Number)
	if !ok {
		var pats []string
		for _, x := range ctx.Exts {
			if strings.HasPrefix(x.Exten, "_") && !slices.Contains(pats, x.Exten) {
				pats = append(pats, x.Exten)
			}
		}
		return []Problem{{File: ctx.File, Line: ctx.Line, Severity: Error, Message: fmt.Sprintf(
			"dial context [%s] has no extension matching %s (click-to-call dials E.164 numbers; its own patterns: %s); %s",
			opts.Context, opts.Number, strings.Join(pats, " "), suggest())}}, nil
	}
	return []Problem{{File: e.File, Line: e.Line, Severity: Info, Message: fmt.Sprintf(
		"dial context [%s] dials %s through [%s] exten %s: %s", opts.Context, opts.Number, where, e.Exten, e.App)}}, nil
}

// Trunks are the PJSIP endpoints of pjsip.conf (and its includes) that
// are trunks rather than phones, and the contexts calls from them start in.
type Trunks struct {
	Endpoints []string // PJSIP/<name>
	Contexts  []string
}

// FindTrunks reads pjsip.conf and the files it includes and returns its
// trunks: endpoints matched by a type = identify section (calls from an
// address) or with a type = registration of the same name (registering to
// a carrier), as FreePBX and deploy/asterisk write them.
func FindTrunks(fsys fs.FS) (Trunks, error) {
	var confs []*Conf
	var load func(name string, depth int, optional bool) error
	seen := map[string]bool{}
	load = func(name string, depth int, optional bool) error {
		name = path.Clean(strings.TrimPrefix(name, "/etc/asterisk/"))
		if depth > maxIncludeDepth || seen[name] || !fs.ValidPath(name) {
			return nil
		}
		seen[name] = true
		c, err := loadConf(fsys, name)
		if optional && errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrNotExist) && depth == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		confs = append(confs, c)
		for _, inc := range c.Includes {
			if err := load(inc, depth+1, true); err != nil {
				return err
			}
		}
		return nil
	}
	if err := load("pjsip.conf", 0, false); err != nil {
		return Trunks{}, err
	}
	trunk := map[string]bool{}
	for _, c := range confs {
		for _, s := range c.OfType("identify") {
			if ep, ok := c.Value(s, "endpoint"); ok {
				trunk[strings.TrimSpace(ep)] = true
			}
		}
		for _, s := range c.OfType("registration") {
			trunk[s.Name] = true
		}
	}
	var t Trunks
	for _, c := range confs {
		for _, ep := range c.OfType("endpoint") {
			if !trunk[ep.Name] || slices.Contains(t.Endpoints, "PJSIP/"+ep.Name) {
				continue
			}
			t.Endpoints = append(t.Endpoints, "PJSIP/"+ep.Name)
			if ctx, ok := c.Value(ep, "context"); ok && !slices.Contains(t.Contexts, ctx) {
				t.Contexts = append(t.Contexts, ctx)
			}
		}
	}
	return t, nil
}
