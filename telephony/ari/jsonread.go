package ari

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the fast path of Decode: a strict, allocation-light JSON
// reader that the generated readJSON methods (decode_*_gen.go) drive. It
// accepts only what it can decode exactly as encoding/json would; on
// anything unusual (null, a value of the wrong JSON type, a key that is not
// an exact match, nesting deeper than encoding/json allows, an overflowing
// number) it gives up with errFallback and Decode starts again with
// encoding/json, which then produces the result or the error.

// errFallback asks the caller to decode with encoding/json instead.
var errFallback = errors.New("ari: fast decoder fallback")

// maxDepth matches encoding/json's nesting limit.
const maxDepth = 10000

// jsonReader reads one JSON document. Its first error sticks; every method
// is a no-op returning zero values after it.
//
// Strings are cut from one string copy of the whole frame, made at the first
// string read: one allocation per frame instead of one per string. A kept
// string therefore keeps its frame's copy (about a kilobyte) alive.
type jsonReader struct {
	b     []byte
	s     string // copy of b, made on first use
	i     int
	err   error
	depth int
}

// fastReader is implemented by every generated model and event type.
type fastReader interface {
	readJSON(r *jsonReader)
}

// decodeFast decodes raw into v with the fast reader.
func decodeFast(raw []byte, v fastReader) error {
	r := jsonReader{b: raw}
	v.readJSON(&r)
	r.ws()
	if r.err == nil && r.i != len(r.b) {
		r.fail()
	}
	return r.err
}

func (r *jsonReader) fail() { r.err = errFallback }

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end or after an error.
func (r *jsonReader) peek() byte {
	if r.err != nil {
		return 0
	}
	r.ws()
	if r.i >= len(r.b) {
		r.fail()
		return 0
	}
	return r.b[r.i]
}

// objectStart reads '{'. Anything else, null included, is a fallback.
func (r *jsonReader) objectStart() bool {
	if r.peek() != '{' {
		r.fail()
		return false
	}
	r.i++
	r.depth++
	if r.depth > maxDepth {
		r.fail()
		return false
	}
	return true
}

// nextKey reads the next key of an object and its colon; it returns nil at
// the closing brace. first tells whether a comma is expected before the key.
func (r *jsonReader) nextKey(first bool) []byte {
	c := r.peek()
	if c == '}' {
		r.i++
		r.depth--
		return nil
	}
	if !first {
		if c != ',' {
			r.fail()
			return nil
		}
		r.i++
		c = r.peek()
	}
	if c != '"' {
		r.fail()
		return nil
	}
	key, plain := r.rawString()
	if !plain {
		r.fail() // escaped or non-ASCII keys: let encoding/json match them
		return nil
	}
	if r.peek() != ':' {
		r.fail()
		return nil
	}
	r.i++
	return key
}

// unknownKey skips the value of a key that matches no field exactly. A key
// that matches one case-insensitively is a fallback: encoding/json would
// store it.
func (r *jsonReader) unknownKey(key []byte, known []string) {
	for _, k := range known {
		if len(k) == len(key) && strings.EqualFold(k, string(key)) {
			r.fail()
			return
		}
	}
	r.skip()
}

// rawString reads a string at r.i (at its opening quote) and returns its
// bytes between the quotes; plain is false if it holds escapes or non-ASCII
// bytes. Control characters are a fallback.
func (r *jsonReader) rawString() (s []byte, plain bool) {
	start := r.i + 1
	plain = true
	for j := start; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			r.i = j + 1
			return r.b[start:j], plain
		case c == '\\':
			plain = false
			j++
			if j >= len(r.b) {
				break
			}
			switch r.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(r.b) || !isHex4(r.b[j+1:j+5]) {
					r.fail()
					return nil, false
				}
				j += 4
			default:
				r.fail()
				return nil, false
			}
		case c < 0x20:
			r.fail()
			return nil, false
		case c >= 0x80:
			plain = false
		}
	}
	r.fail()
	return nil, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str reads a string value.
func (r *jsonReader) str() string {
	if r.peek() != '"' {
		r.fail()
		return ""
	}
	start := r.i
	s, plain := r.rawString()
	if r.err != nil || len(s) == 0 {
		return ""
	}
	if plain || bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		if r.s == "" {
			r.s = string(r.b)
		}
		return r.s[start+1 : r.i-1]
	}
	var out string // escapes or bad UTF-8: exactly as encoding/json does it
	if err := json.Unmarshal(r.b[start:r.i], &out); err != nil {
		r.fail()
	}
	return out
}

// number reads a JSON number and returns its text and whether it is an integer.
func (r *jsonReader) number() (text []byte, integer bool) {
	if r.peek() == 0 {
		return nil, false
	}
	start := r.i
	j := start
	if j < len(r.b) && r.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' {
		j++
	}
	if j == digits || (r.b[digits] == '0' && j-digits > 1) {
		r.fail()
		return nil, false
	}
	integer = true
	if j < len(r.b) && r.b[j] == '.' {
		integer = false
		j++
		k := j
		for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' {
			j++
		}
		if j == k {
			r.fail()
			return nil, false
		}
	}
	if j < len(r.b) && (r.b[j] == 'e' || r.b[j] == 'E') {
		integer = false
		j++
		if j < len(r.b) && (r.b[j] == '+' || r.b[j] == '-') {
			j++
		}
		k := j
		for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' {
			j++
		}
		if j == k {
			r.fail()
			return nil, false
		}
	}
	r.i = j
	return r.b[start:j], integer
}

func (r *jsonReader) int64() int64 {
	text, integer := r.number()
	if r.err != nil {
		return 0
	}
	if !integer {
		r.fail()
		return 0
	}
	neg := text[0] == '-'
	if neg {
		text = text[1:]
	}
	if len(text) > 18 { // might overflow: let strconv decide
		v, err := strconv.ParseInt(string(r.b[r.i-len(text)-b2i(neg):r.i]), 10, 64)
		if err != nil {
			r.fail()
		}
		return v
	}
	var v int64
	for _, c := range text {
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *jsonReader) int() int { return int(r.int64()) }

func (r *jsonReader) float64() float64 {
	text, _ := r.number()
	if r.err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		r.fail()
	}
	return v
}

func (r *jsonReader) bool() bool {
	switch r.peek() {
	case 't':
		if r.literal("true") {
			return true
		}
	case 'f':
		if r.literal("false") {
			return false
		}
	}
	r.fail()
	return false
}

func (r *jsonReader) literal(lit string) bool {
	if len(r.b)-r.i >= len(lit) && string(r.b[r.i:r.i+len(lit)]) == lit {
		r.i += len(lit)
		return true
	}
	r.fail()
	return false
}

// time reads an ARI timestamp.
func (r *jsonReader) time() Time {
	if r.peek() != '"' {
		r.fail()
		return Time{}
	}
	s, plain := r.rawString()
	if r.err != nil || !plain {
		r.fail()
		return Time{}
	}
	var t Time
	if err := t.parse(s); err != nil {
		r.fail()
	}
	return t
}
