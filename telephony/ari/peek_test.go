package ari

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"hotline/telephony/ari/aritest/transcripts"
)

func TestPeekType(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"first", `{"type":"Dial","x":1}`, "Dial"},
		{"after nested", `{"variable":"A","channel":{"type":"X","a":[{"type":"Y"}]},"type":"ChannelVarset"}`, "ChannelVarset"},
		{"after strings with quotes and braces", `{"v":"a\"}{,\\","type":"StasisStart"}`, "StasisStart"},
		{"spaces", " {\n \"cause\" : 16 , \"soft\":true,\"n\":null, \"type\" : \"ChannelHangupRequest\" } ", TypeChannelHangupRequest},
		{"unknown type", `{"type":"Brand New"}`, "Brand New"},
		{"escaped value", `{"type":"Dia\u006c"}`, "Dial"},
		{"escaped key", `{"\u0074ype":"Dial"}`, "Dial"},
		{"typex is not type", `{"typex":"A","type":"Dial"}`, "Dial"},
	}
	for _, c := range cases {
		got, err := PeekType([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("%s: PeekType = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	for _, in := range []string{``, `{}`, `{"a":1}`, `{"type":1}`, `{"type":null}`, `{"a":{"type":"Dial"}}`, `[{"type":"Dial"}]`, `{"a":"unterminated`, `{"a" 1,"type":"Dial"}`} {
		if got, err := PeekType([]byte(in)); !errors.Is(err, ErrNoType) {
			t.Errorf("PeekType(%s) = %q, %v; want ErrNoType", in, got, err)
		}
	}
}

// TestPeekTypeTranscripts checks PeekType against encoding/json on every recorded frame.
func TestPeekTypeTranscripts(t *testing.T) {
	for _, l := range loadTranscripts(t, "*.jsonl") {
		got, err := PeekType(l.raw)
		want, werr := referenceType(l.raw)
		if err != nil || werr != nil || got != want {
			t.Errorf("%s: PeekType = %q, %v; encoding/json says %q, %v", l, got, err, want, werr)
		}
	}
}

func TestPeekTypeDoesNotAllocate(t *testing.T) {
	lines := loadTranscripts(t, "sip-*.jsonl")
	allocs := testing.AllocsPerRun(10, func() {
		for _, l := range lines {
			if _, err := PeekType(l.raw); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("PeekType allocates %.1f times per transcript pass", allocs)
	}
}

// referenceType finds the first top-level "type" key with encoding/json's tokenizer.
func referenceType(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	if tok != json.Delim('{') {
		return "", ErrNoType
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", err
		}
		if tok == "type" {
			var s string
			if err := json.Unmarshal(v, &s); err != nil || s == "" {
				return "", ErrNoType
			}
			return s, nil
		}
	}
	return "", ErrNoType
}

func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"type":"Dial","timestamp":"2026-11-27T03:09:32.790+0000","dialstatus":"","peer":{"id":"1"}}`,
		`{"variable":"X","value":"\"}","type":"ChannelVarset"}`,
		`{"type":"ChannelFrobnicated"}`,
		`{"type":"ChannelDestroyed","cause":"x"}`,
		`{"a":[{"type":"Dial"}],"type":"StasisStart","args":["survey"]}`,
		`{"type":"Dia`, `{`, `"type"`, `{"type":12}`, `{"\u0074ype":"Dial"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if transcripts.Find() != "" {
		for _, l := range loadTranscripts(f, "sip-inbound-direct.jsonl") {
			f.Add(l.raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		typ, perr := PeekType(raw)
		ev, derr := Decode(raw)
		if derr == nil {
			if ev == nil {
				t.Fatal("Decode returned nil event and nil error")
			}
			if _, unknown := ev.(*UnknownEvent); !unknown && newEvent(typ) == nil {
				t.Fatalf("type %q decoded into %T", typ, ev)
			}
		}
		if ev := newEvent(typ); perr == nil && ev != nil {
			// The fast reader agrees with encoding/json whenever it accepts.
			ref := newEvent(typ)
			jerr := json.Unmarshal(raw, ref)
			if decodeFast(raw, ev.(fastReader)) == nil {
				if jerr != nil {
					t.Fatalf("fast path accepted what encoding/json refuses: %v", jerr)
				}
				if !reflect.DeepEqual(ev, ref) {
					t.Fatalf("fast %+v\njson %+v", ev, ref)
				}
			}
			if (derr == nil) != (jerr == nil) {
				t.Fatalf("Decode error %v, encoding/json error %v", derr, jerr)
			}
		}
		if !json.Valid(raw) {
			return
		}
		want, werr := referenceType(raw)
		if (perr == nil) != (werr == nil) || (perr == nil && typ != want) {
			t.Fatalf("PeekType = %q, %v; encoding/json says %q, %v", typ, perr, want, werr)
		}
	})
}
