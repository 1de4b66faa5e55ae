package deploy

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Conf is one parsed Asterisk configuration file (http.conf, ari.conf,
// pjsip.conf, extensions.conf, ...), in the order it was written.
type Conf struct {
	Name     string
	Sections []*Section
	// Includes are the targets of #include and #tryinclude lines; they are
	// not followed.
	Includes []string
}

// Section is one [name] block. A name may appear several times: pjsip.conf
// gives an endpoint and its aor the same name.
type Section struct {
	Name string
	Line int
	// Template is true for [name](!): a template, not an object.
	Template bool
	// Inherits names the templates of [name](tmpl,...), in order.
	Inherits []string
	Entries  []Entry
}

// Entry is one "key = value" or "key => value" line.
type Entry struct {
	Key   string
	Value string
	Line  int
	// Object is true for "=>" (exten =>, member =>).
	Object bool
}

// ParseConf parses Asterisk's configuration syntax: [section](options)
// headers, key = value and key => value lines, ';' comments (with '\;' as a
// literal semicolon), ';-- --;' block comments and #include lines. Lines
// outside a section and lines that are neither a header nor an assignment
// are errors, as they are for Asterisk.
func ParseConf(name string, r io.Reader) (*Conf, error) {
	c := &Conf{Name: name}
	var cur *Section
	inBlock := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		var line string
		line, inBlock = stripComments(sc.Text(), inBlock)
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			if err := c.directive(line, n); err != nil {
				return nil, err
			}
		case strings.HasPrefix(line, "["):
			s, err := parseHeader(line, n)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n, err)
			}
			c.Sections = append(c.Sections, s)
			cur = s
		default:
			e, err := parseEntry(line, n)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n, err)
			}
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: %q is outside any [section]", name, n, line)
			}
			cur.Entries = append(cur.Entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if inBlock {
		return nil, fmt.Errorf("%s: block comment ';--' is never closed", name)
	}
	return c, nil
}

// directive records #include and #tryinclude; #exec and unknown directives
// are rejected because a checked configuration must be self-contained.
func (c *Conf) directive(line string, n int) error {
	word, arg, _ := strings.Cut(line, " ")
	switch word {
	case "#include", "#tryinclude":
		c.Includes = append(c.Includes, strings.Trim(strings.TrimSpace(arg), `"<>`))
		return nil
	default:
		return fmt.Errorf("%s:%d: unsupported directive %q", c.Name, n, word)
	}
}

// stripComments removes ';' comments and ';-- ... --;' block comments from
// one line; inBlock carries an open block comment across lines.
func stripComments(line string, inBlock bool) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		if inBlock {
			if strings.HasPrefix(line[i:], "--;") {
				inBlock = false
				i += 2
			}
			continue
		}
		switch {
		case strings.HasPrefix(line[i:], `\;`):
			b.WriteByte(';')
			i++
		case strings.HasPrefix(line[i:], ";--"):
			inBlock = true
			i += 2
		case line[i] == ';':
			return b.String(), false
		default:
			b.WriteByte(line[i])
		}
	}
	return b.String(), inBlock
}

// parseHeader parses "[name]" or "[name](options)".
func parseHeader(line string, n int) (*Section, error) {
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return nil, fmt.Errorf("section header %q has no ']'", line)
	}
	s := &Section{Name: strings.TrimSpace(line[1:end]), Line: n}
	if s.Name == "" {
		return nil, fmt.Errorf("empty section name")
	}
	rest := strings.TrimSpace(line[end+1:])
	if rest == "" {
		return s, nil
	}
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return nil, fmt.Errorf("unexpected %q after section [%s]", rest, s.Name)
	}
	for _, opt := range strings.Split(rest[1:len(rest)-1], ",") {
		switch opt = strings.TrimSpace(opt); opt {
		case "!":
			s.Template = true
		case "+", "":
			// "+" appends to an earlier section of the same name.
		default:
			s.Inherits = append(s.Inherits, opt)
		}
	}
	return s, nil
}

// parseEntry parses "key = value" or "key => value".
func parseEntry(line string, n int) (Entry, error) {
	i := strings.IndexByte(line, '=')
	if i <= 0 {
		return Entry{}, fmt.Errorf("%q is neither a [section] nor key = value", line)
	}
	e := Entry{Key: strings.TrimSpace(line[:i]), Line: n}
	val := line[i+1:]
	if strings.HasPrefix(val, ">") {
		e.Object = true
		val = val[1:]
	}
	e.Value = strings.TrimSpace(val)
	if e.Key == "" {
		return Entry{}, fmt.Errorf("%q has an empty key", line)
	}
	return e, nil
}

// Find returns the non-template sections called name, in file order.
func (c *Conf) Find(name string) []*Section {
	var out []*Section
	for _, s := range c.Sections {
		if s.Name == name && !s.Template {
			out = append(out, s)
		}
	}
	return out
}

// FindTyped returns the non-template section called name whose (inherited)
// "type" is typ, as pjsip.conf and ari.conf use it, or nil.
func (c *Conf) FindTyped(name, typ string) *Section {
	for _, s := range c.Find(name) {
		if v, _ := c.Value(s, "type"); v == typ {
			return s
		}
	}
	return nil
}

// OfType returns every non-template section whose (inherited) "type" is typ.
func (c *Conf) OfType(typ string) []*Section {
	var out []*Section
	for _, s := range c.Sections {
		if v, _ := c.Value(s, "type"); v == typ && !s.Template {
			out = append(out, s)
		}
	}
	return out
}

// Entries returns s's entries with those inherited from its templates first,
// as Asterisk applies them.
func (c *Conf) Entries(s *Section) []Entry {
	return c.entries(s, 0)
}

func (c *Conf) entries(s *Section, depth int) []Entry {
	if depth > 16 {
		return nil // a template cycle; Asterisk rejects it too
	}
	var out []Entry
	for _, name := range s.Inherits {
		for _, t := range c.Sections {
			if t.Name == name && t.Template {
				out = append(out, c.entries(t, depth+1)...)
			}
		}
	}
	return append(out, s.Entries...)
}

// Value returns the last value of key in s, templates included.
func (c *Conf) Value(s *Section, key string) (string, bool) {
	var v string
	found := false
	for _, e := range c.Entries(s) {
		if e.Key == key {
			v, found = e.Value, true
		}
	}
	return v, found
}

// Values returns every value of key in s (e.g. member =>), templates first.
func (c *Conf) Values(s *Section, key string) []string {
	var out []string
	for _, e := range c.Entries(s) {
		if e.Key == key {
			out = append(out, e.Value)
		}
	}
	return out
}

// IsTrue reports whether an Asterisk boolean value is true (yes, true, y,
// t, 1, on), as ast_true() does.
func IsTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}
