package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
)

// rejectDuplicateKeys refuses (422) a JSON body in which an object repeats a
// key: decoders disagree on which value wins ("last" here, "first" in a
// proxy or a WAF), so such a body means different things to different
// readers. The body is read within the operation's limit (1 MiB unless the
// operation says otherwise) and handed on unchanged; a body over the limit
// goes on to huma, which refuses it with 413.
func (s *Server) rejectDuplicateKeys(ctx huma.Context, next func(huma.Context)) {
	mt, _, _ := mime.ParseMediaType(ctx.Header("Content-Type"))
	r, _ := humachi.Unwrap(ctx)
	if r == nil || r.Body == nil || r.Body == http.NoBody || (mt != "application/json" && !isJSONSuffix(mt)) {
		next(ctx)
		return
	}
	limit := ctx.Operation().MaxBodyBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	body := r.Body
	buf, err := io.ReadAll(io.LimitReader(body, limit))
	if err != nil || int64(len(buf)) >= limit {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), body), body}
		next(ctx)
		return
	}
	r.Body = readCloser{bytes.NewReader(buf), body}
	if path, dup := duplicateKey(buf); dup {
		_ = huma.WriteErr(s.api, ctx, http.StatusUnprocessableEntity, "duplicate key in JSON body: "+path,
			&huma.ErrorDetail{Location: "body" + path, Message: "duplicate key"})
		return
	}
	next(ctx)
}

func isJSONSuffix(mt string) bool { return len(mt) > 5 && mt[len(mt)-5:] == "+json" }

type readCloser struct {
	io.Reader
	io.Closer
}

// duplicateKey scans a JSON document and reports the path (".a[2].b") of
// the first key an object repeats. A document that is not valid JSON has no
// duplicate as far as this check goes: huma refuses it with its own error.
func duplicateKey(doc []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		keys   map[string]bool // nil for an array
		index  int
		path   string
		expect bool // object: the next token is a key
	}
	var stack []*frame
	// value is called when a value (scalar or container start) is read in
	// the current container; it returns the path of that value.
	value := func(key string) string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.keys == nil {
			p := f.path + "[" + strconv.Itoa(f.index) + "]"
			f.index++
			return p
		}
		f.expect = true
		return f.path + "." + key
	}
	var key string
	for {
		tok, err := dec.Token()
		if err != nil { // io.EOF at the end, or not JSON
			return "", false
		}
		if len(stack) > 0 {
			if f := stack[len(stack)-1]; f.keys != nil && f.expect {
				if k, ok := tok.(string); ok {
					if f.keys[k] {
						return f.path + "." + k, true
					}
					f.keys[k] = true
					key, f.expect = k, false
					continue
				}
			}
		}
		switch tok {
		case json.Delim('{'):
			p := value(key)
			stack = append(stack, &frame{keys: map[string]bool{}, path: p, expect: true})
		case json.Delim('['):
			p := value(key)
			stack = append(stack, &frame{path: p})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			value(key)
		}
	}
}
