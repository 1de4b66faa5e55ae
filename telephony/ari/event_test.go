package ari

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeTranscripts(t *testing.T) {
	lines := loadTranscripts(t, "*.jsonl")
	counts := map[string]int{}
	for _, l := range lines {
		ev, err := Decode(l.raw)
		if err != nil {
			t.Errorf("%s: %v", l, err)
			continue
		}
		if u, ok := ev.(*UnknownEvent); ok {
			t.Errorf("%s: type %q decoded as UnknownEvent", l, u.Type)
			continue
		}
		base := ev.Base()
		if got := reflect.TypeOf(ev).Elem().Name(); got != base.Type {
			t.Errorf("%s: type %q decoded into %s", l, base.Type, got)
		}
		if base.Timestamp.IsZero() || base.Application != "hotline" || base.AsteriskID == "" {
			t.Errorf("%s: base fields lost: %+v", l, *base)
		}
		counts[base.Type]++
		assertRoundTrip(t, l, ev)
	}
	if len(lines) < 2000 {
		t.Errorf("only %d transcript lines decoded; expected the whole recording set", len(lines))
	}
	t.Logf("%d events of %d types", len(lines), len(counts))
}

// assertRoundTrip checks that marshalling ev gives back every key and value
// of the recorded frame (it may add required keys Asterisk left out).
func assertRoundTrip(t *testing.T, l transcriptLine, ev Event) {
	t.Helper()
	out, err := json.Marshal(ev)
	if err != nil {
		t.Errorf("%s: marshal: %v", l, err)
		return
	}
	var want, got any
	if err := json.Unmarshal(l.raw, &want); err != nil {
		t.Fatalf("%s: %v", l, err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: re-marshalled frame is not JSON: %v", l, err)
	}
	if path, ok := subset(want, got, "$"); !ok {
		t.Errorf("%s: re-marshalled frame differs at %s\nrecorded: %s\nmarshalled: %s", l, path, l.raw, out)
	}
}

// subset reports whether every key and value of want is in got, and where not.
func subset(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok && isZeroJSON(wv) {
				continue // an optional key Asterisk sent empty: omitempty drops it
			}
			if !ok {
				return path + "." + k + " (missing)", false
			}
			if p, ok := subset(wv, gv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := subset(w[i], g[i], path+"["+itoa(i)+"]"); !ok {
				return p, false
			}
		}
		return "", true
	default:
		return path, reflect.DeepEqual(want, got)
	}
}

// isZeroJSON reports whether v is "", 0, false, null, [] or {}.
func isZeroJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func TestDecodeKeyFields(t *testing.T) {
	raw := []byte(`{"type":"ChannelDestroyed","timestamp":"2026-11-27T03:09:45.101+0000","cause":16,"cause_txt":"Normal Clearing","channel":{"id":"1795748972.0","name":"PJSIP/customers-00000000","state":"Up","protocol_id":"c7930a60","caller":{"name":"Ivan Petrov","number":"+74951234567"},"connected":{"name":"Agent 1001","number":"1001"},"accountcode":"","dialplan":{"context":"from-trunk","exten":"7001","priority":3,"app_name":"Stasis","app_data":"hotline,survey"},"creationtime":"2026-11-27T03:09:32.788+0000","language":"en","channelvars":{"CHANNEL(linkedid)":"1795748972.0"}},"asterisk_id":"02:fc:00:00:00:01","application":"hotline"}`)
	ev, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := ev.(*ChannelDestroyed)
	if !ok {
		t.Fatalf("decoded %T, want *ChannelDestroyed", ev)
	}
	wantTS := time.Date(2026, 11, 27, 3, 9, 45, 101e6, time.UTC)
	if !d.Timestamp.Equal(wantTS) {
		t.Errorf("timestamp %v, want %v", d.Timestamp, wantTS)
	}
	if d.Cause != 16 || d.CauseTxt != "Normal Clearing" {
		t.Errorf("cause %d %q", d.Cause, d.CauseTxt)
	}
	c := d.Channel
	if c.ID != "1795748972.0" || c.State != "Up" || c.Caller.Number != "+74951234567" ||
		c.Connected.Name != "Agent 1001" || c.Dialplan.Priority != 3 || c.Dialplan.AppData != "hotline,survey" {
		t.Errorf("channel fields: %+v", c)
	}
	if got := c.ChannelVars["CHANNEL(linkedid)"]; got != "1795748972.0" {
		t.Errorf("linkedid %q", got)
	}
}

func TestTimeFormat(t *testing.T) {
	for _, s := range []string{"2026-11-27T03:09:32.788+0000", "2026-11-27T06:09:32.788+0300", "2026-11-27T03:09:32.000-0130"} {
		var tm Time
		if err := json.Unmarshal([]byte(`"`+s+`"`), &tm); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		out, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != `"`+s+`"` {
			t.Errorf("round trip %s gave %s", s, out)
		}
	}
	var tm Time
	if err := json.Unmarshal([]byte(`"2026-11-27T03:09:32Z"`), &tm); err != nil || tm.Second() != 32 {
		t.Errorf("RFC 3339 fallback: %v %v", tm, err)
	}
	for _, bad := range []string{`"yesterday"`, `12`, `"2026-13-01T00:00:00.000+0000"`} {
		if err := json.Unmarshal([]byte(bad), &tm); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if err := json.Unmarshal([]byte(`""`), &tm); err != nil || !tm.IsZero() {
		t.Errorf(`"" gave %v, %v`, tm, err)
	}
}

// TestEveryEventModelHasType checks events.json against the generated types.
func TestEveryEventModelHasType(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("spec", "events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Models map[string]struct {
			SubTypes   []string                   `json:"subTypes"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"models"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	var names []string
	names = append(names, spec.Models["Event"].SubTypes...)
	for _, s := range spec.Models["Message"].SubTypes {
		if s != "Event" {
			names = append(names, s)
		}
	}
	if len(names) < 40 {
		t.Fatalf("only %d event models in events.json", len(names))
	}
	known := map[string]bool{}
	for _, n := range EventTypes {
		known[n] = true
	}
	for _, name := range names {
		ev := newEvent(name)
		if ev == nil || !known[name] {
			t.Errorf("event model %s has no Go type", name)
			continue
		}
		rt := reflect.TypeOf(ev).Elem()
		if rt.Name() != name {
			t.Errorf("%s decodes into %s", name, rt.Name())
		}
		// Every property of the model is a JSON key of the Go type.
		keys := jsonKeys(rt)
		for prop := range spec.Models[name].Properties {
			if !keys[prop] {
				t.Errorf("%s: spec property %q has no field", name, prop)
			}
		}
	}
	if len(EventTypes) != len(names) {
		t.Errorf("%d Go event types, %d spec event models", len(EventTypes), len(names))
	}
}

func jsonKeys(rt reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for f := range rt.Fields() {
		if f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		for i := 0; i < len(tag); i++ {
			if tag[i] == ',' {
				tag = tag[:i]
				break
			}
		}
		keys[tag] = true
	}
	return keys
}

func TestDecodeUnknownAndMalformed(t *testing.T) {
	raw := []byte(`{"application":"hotline","type":"ChannelFrobnicated","timestamp":"2026-11-27T03:09:32.788+0000","x":{"type":"Dial"}}`)
	ev, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := ev.(*UnknownEvent)
	if !ok {
		t.Fatalf("decoded %T, want *UnknownEvent", ev)
	}
	if u.Type != "ChannelFrobnicated" || u.Application != "hotline" || string(u.Raw) != string(raw) {
		t.Errorf("unknown event: %+v", u)
	}
	odd, err := Decode([]byte(`{"type":"FutureEvent","timestamp":{"sec":1}}`))
	if u, ok := odd.(*UnknownEvent); err != nil || !ok || u.Type != "FutureEvent" {
		t.Errorf("unknown type with odd base fields: %#v, %v", odd, err)
	}
	if b, err := json.Marshal(&UnknownEvent{EventBase: EventBase{Type: "X"}}); err != nil || !strings.Contains(string(b), `"type":"X"`) {
		t.Errorf("marshal UnknownEvent without Raw: %s, %v", b, err)
	}
	raw[3] = 'X' // Raw is a copy
	if u.Raw[3] == 'X' {
		t.Error("UnknownEvent.Raw aliases the input")
	}

	bad := map[string]string{
		"empty":             ``,
		"not an object":     `[1,2]`,
		"no type":           `{"timestamp":"2026-11-27T03:09:32.788+0000"}`,
		"nested type only":  `{"channel":{"type":"Dial"}}`,
		"type is a number":  `{"type":12}`,
		"truncated":         `{"type":"Dial","peer":{"id":`,
		"wrong field type":  `{"type":"ChannelDestroyed","cause":"sixteen"}`,
		"bad timestamp":     `{"type":"Dial","timestamp":"noon"}`,
		"unterminated type": `{"type":"Dial`,
		"empty type":        `{"type":""}`,
	}
	for name, in := range bad {
		ev, err := Decode([]byte(in))
		if err == nil {
			t.Errorf("%s: decoded %T without error", name, ev)
		}
	}
	if _, err := Decode([]byte(`{"x":1}`)); !errors.Is(err, ErrNoType) {
		t.Errorf("missing type: %v, want ErrNoType", err)
	}
}
