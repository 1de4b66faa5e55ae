package ari

import "encoding/json"

// Arrays, objects and skipped values for the fast reader (see jsonread.go).

// readArray reads an array whose elements elem reads; nil after an error.
func readArray[T any](r *jsonReader, elem func() T) []T {
	if r.peek() != '[' {
		r.fail()
		return nil
	}
	r.i++
	out := []T{}
	for first := true; ; first = false {
		c := r.peek()
		if c == ']' {
			r.i++
			return out
		}
		if !first {
			if c != ',' {
				r.fail()
				return nil
			}
			r.i++
		}
		v := elem()
		if r.err != nil {
			return nil
		}
		out = append(out, v)
	}
}

// stringSlice reads an array of strings.
func (r *jsonReader) stringSlice() []string { return readArray(r, r.str) }

// stringMap reads an object of strings into m (made if nil), as encoding/json does.
func (r *jsonReader) stringMap(m map[string]string) map[string]string {
	if !r.objectStart() {
		return m
	}
	if m == nil {
		m = map[string]string{}
	}
	for first := true; ; first = false {
		c := r.peek()
		if c == '}' {
			r.i++
			r.depth--
			return m
		}
		if !first {
			if c != ',' {
				r.fail()
				return m
			}
			r.i++
		}
		k := r.str()
		if r.peek() != ':' {
			r.fail()
			return m
		}
		r.i++
		v := r.str()
		if r.err != nil {
			return m
		}
		m[k] = v
	}
}

// raw returns a copy of the next value, validated.
func (r *jsonReader) raw() json.RawMessage {
	if c := r.peek(); c == 0 || c == 'n' {
		r.fail() // null: see the file comment
		return nil
	}
	start := r.i
	r.skip()
	if r.err != nil {
		return nil
	}
	return append(json.RawMessage(nil), r.b[start:r.i]...)
}

// readList reads an array of models.
func readList[T any, PT interface {
	*T
	fastReader
}](r *jsonReader) []T {
	return readArray(r, func() T {
		var v T
		PT(&v).readJSON(r)
		return v
	})
}

// readRawList reads an array of arbitrary values.
func (r *jsonReader) readRawList() []json.RawMessage { return readArray(r, r.raw) }

// skip reads and validates one value of any type, without recursion.
func (r *jsonReader) skip() {
	var stackArr [32]byte
	stack := stackArr[:0] // open containers: '{' or '['
	for {
		// A value.
		switch c := r.peek(); c {
		case '"':
			r.rawString()
		case '{', '[':
			r.i++
			stack = append(stack, c)
			if r.depth+len(stack) > maxDepth {
				r.fail()
				return
			}
			if c == '{' {
				if r.peek() == '}' {
					r.i++
					stack = stack[:len(stack)-1]
					break
				}
				r.objectKey()
				continue
			}
			if r.peek() == ']' {
				r.i++
				stack = stack[:len(stack)-1]
				break
			}
			continue
		case 't':
			r.literal("true")
		case 'f':
			r.literal("false")
		case 'n':
			r.literal("null")
		default:
			r.number()
		}
		stack = r.afterValue(stack)
		if r.err != nil || len(stack) == 0 {
			return
		}
	}
}

// afterValue closes finished containers and moves past the comma to the
// next element (and, in an object, its key); it returns the open containers.
func (r *jsonReader) afterValue(stack []byte) []byte {
	for r.err == nil && len(stack) > 0 {
		top := stack[len(stack)-1]
		c := r.peek()
		switch {
		case c == ',':
			r.i++
			if top == '{' {
				r.objectKey()
			}
			return stack
		case top == '{' && c == '}', top == '[' && c == ']':
			r.i++
			stack = stack[:len(stack)-1]
		default:
			r.fail()
		}
	}
	return stack
}

// objectKey reads a key and its colon inside a skipped object.
func (r *jsonReader) objectKey() {
	if r.peek() != '"' {
		r.fail()
		return
	}
	r.rawString()
	if r.peek() != ':' {
		r.fail()
		return
	}
	r.i++
}
