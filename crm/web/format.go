package web

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// initials are the first letters of the first two words, for the avatar.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// safeNext keeps a post-login redirect on this site: only a clean path
// that starts with a single "/" is followed, anything else goes to the
// client list (see cleanLocalPath).
func safeNext(next string) string {
	if !cleanLocalPath(next) {
		return "/clients"
	}
	return next
}

// cleanLocalPath reports whether p is a same-site path a browser cannot read
// as another site: it starts with exactly one "/", has no backslash, no
// control character or white space, no scheme or host, and stays so once
// percent-decoded, however often (browsers drop tabs and newlines and read "\" as "/").
func cleanLocalPath(p string) bool {
	for range 4 {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
			return false
		}
		for _, r := range p {
			if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
				return false
			}
		}
		u, err := url.Parse(p)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
			return false
		}
		d, err := url.PathUnescape(p)
		if err != nil {
			return false
		}
		if d == p {
			return true
		}
		p = d
	}
	return false // still changing after several decodings: not a clean path
}

// bodyAfter is the part of an entry's body not already shown as its summary
// (a note's summary is its first line).
func bodyAfter(summary, body string) string {
	body = strings.TrimSpace(body)
	if rest, ok := strings.CutPrefix(body, strings.TrimSpace(summary)); ok && summary != "" {
		return strings.TrimSpace(rest)
	}
	return body
}

// dict builds a map from key, value pairs for passing several values to a
// sub-template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// truncateRunes cuts s to at most n characters, never inside one.
func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
