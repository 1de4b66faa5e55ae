package ari

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// PeekType returns the value of the top-level "type" key of an event frame
// without decoding the rest. It does not allocate for the event types of the
// spec. The key need not come first (ChannelVarset frames start with
// "variable"); keys of nested objects are never mistaken for it.
//
// PeekType checks only as much syntax as it reads: a frame it accepts can
// still fail to decode.
func PeekType(raw []byte) (string, error) {
	p := peeker{b: raw}
	p.space()
	if !p.eat('{') {
		return "", ErrNoType
	}
	for {
		p.space()
		if p.eat('}') {
			return "", ErrNoType
		}
		key, escaped, ok := p.str()
		if !ok {
			return "", fmt.Errorf("%w: malformed key at byte %d", ErrNoType, p.i)
		}
		p.space()
		if !p.eat(':') {
			return "", fmt.Errorf("%w: missing colon at byte %d", ErrNoType, p.i)
		}
		p.space()
		if isTypeKey(key, escaped) {
			return p.typeValue()
		}
		if !p.skipValue() {
			return "", fmt.Errorf("%w: malformed value at byte %d", ErrNoType, p.i)
		}
		p.space()
		if !p.eat(',') {
			return "", ErrNoType
		}
	}
}

// isTypeKey reports whether the raw key (between its quotes) spells "type".
func isTypeKey(key []byte, escaped bool) bool {
	if !escaped {
		return string(key) == "type"
	}
	var k string
	q := make([]byte, 0, len(key)+2)
	q = append(append(append(q, '"'), key...), '"')
	return json.Unmarshal(q, &k) == nil && k == "type"
}

type peeker struct {
	b []byte
	i int
}

func (p *peeker) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *peeker) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a JSON string at p.i and returns its raw contents (between the
// quotes, escapes not undone) and whether it holds any backslash.
func (p *peeker) str() (s []byte, escaped, ok bool) {
	if !p.eat('"') {
		return nil, false, false
	}
	start := p.i
	for {
		j := bytes.IndexByte(p.b[p.i:], '"')
		if j < 0 {
			return nil, false, false
		}
		end := p.i + j
		// The quote is escaped if an odd number of backslashes precede it.
		n := 0
		for k := end - 1; k >= start && p.b[k] == '\\'; k-- {
			n++
		}
		p.i = end + 1
		if n%2 == 0 {
			s = p.b[start:end]
			return s, bytes.IndexByte(s, '\\') >= 0, true
		}
	}
}

func (p *peeker) typeValue() (string, error) {
	start := p.i
	s, escaped, ok := p.str()
	if !ok {
		return "", fmt.Errorf("%w: \"type\" is not a string", ErrNoType)
	}
	if !escaped {
		if t, known := internType(s); known {
			return t, nil
		}
		if len(s) == 0 {
			return "", fmt.Errorf("%w: empty \"type\"", ErrNoType)
		}
		if utf8.Valid(s) {
			return string(s), nil
		}
	}
	// Escapes or invalid UTF-8: decode as encoding/json would.
	var t string
	if err := json.Unmarshal(p.b[start:p.i], &t); err != nil || t == "" {
		return "", fmt.Errorf("%w: bad \"type\" value", ErrNoType)
	}
	if known, ok := internType([]byte(t)); ok {
		return known, nil
	}
	return t, nil
}

// skipValue skips one JSON value: a string, or anything up to the comma or
// closing brace that ends it at depth zero, counting nested brackets.
func (p *peeker) skipValue() bool {
	if p.i >= len(p.b) {
		return false
	}
	switch p.b[p.i] {
	case '"':
		_, _, ok := p.str()
		return ok
	case '{', '[':
		depth := 0
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i++
					return true
				}
			case '"':
				if _, _, ok := p.str(); !ok {
					return false
				}
				continue
			}
			p.i++
		}
		return false
	default: // number, true, false, null
		start := p.i
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case ',', '}', ' ', '\t', '\n', '\r':
				return p.i > start
			}
			p.i++
		}
		return false
	}
}
