package ari

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestFastDecodeMatchesEncodingJSON decodes every recorded frame with the
// generated fast reader and with encoding/json: the fast path must take
// every frame (no fallback) and give exactly the same value.
func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for _, l := range loadTranscripts(t, "*.jsonl") {
		typ := l.typ(t)
		fast, ref := newEvent(typ), newEvent(typ)
		if err := decodeFast(l.raw, fast.(fastReader)); err != nil {
			t.Errorf("%s: fast path fell back: %v", l, err)
			continue
		}
		if err := json.Unmarshal(l.raw, ref); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Errorf("%s: fast decode differs from encoding/json\nfast: %+v\njson: %+v", l, fast, ref)
		}
	}
}

// TestFastDecodeFallsBack lists inputs the fast reader must refuse, so that
// encoding/json decides them.
func TestFastDecodeFallsBack(t *testing.T) {
	cases := []struct{ name, typ, in string }{
		{"null field", TypeDial, `{"type":"Dial","peer":null}`},
		{"case-folded key", TypeDial, `{"type":"Dial","DialStatus":"ANSWER"}`},
		{"float into int", TypeChannelDestroyed, `{"type":"ChannelDestroyed","cause":16.0}`},
		{"overflowing int", TypeChannelDestroyed, `{"type":"ChannelDestroyed","cause":99999999999999999999}`},
		{"string into int", TypeChannelDestroyed, `{"type":"ChannelDestroyed","cause":"16"}`},
		{"leading zero", TypeChannelDestroyed, `{"type":"ChannelDestroyed","cause":016}`},
		{"trailing garbage", TypeDial, `{"type":"Dial"} x`},
		{"bad skipped literal", TypeDial, `{"type":"Dial","zzz":tru}`},
		{"bad escape", TypeDial, `{"type":"Dial","zzz":"\x"}`},
		{"unclosed nested", TypeDial, `{"type":"Dial","zzz":{"a":[1,2}}`},
		{"escaped key", TypeDial, `{"type":"Dial","dial\u0073tatus":"BUSY"}`},
	}
	for _, tc := range cases {
		if err := decodeFast([]byte(tc.in), newEvent(tc.typ).(fastReader)); err == nil {
			t.Errorf("%s: fast path accepted %s", tc.name, tc.in)
		}
		// Decode still gives encoding/json's answer.
		got, derr := Decode([]byte(tc.in))
		ref := newEvent(tc.typ)
		jerr := json.Unmarshal([]byte(tc.in), ref)
		if (derr == nil) != (jerr == nil) || (derr == nil && !reflect.DeepEqual(got, ref)) {
			t.Errorf("%s: Decode = %+v, %v; encoding/json = %+v, %v", tc.name, got, derr, ref, jerr)
		}
	}
}

func TestFastDecodeEscapesAndZones(t *testing.T) {
	in := `{"type":"ChannelDialplan","timestamp":"2026-11-27T06:09:32.788+0300","dialplan_app":"NoOp","dialplan_app_data":"customer \"Ivan\" \u00e9 <+7>","channel":{"id":"1","name":"PJSIP/x","state":"Up","protocol_id":"","caller":{"name":"Иван","number":"+7"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"c","exten":"e","priority":-2,"app_name":"","app_data":""},"creationtime":"2026-11-27T03:09:32.788-0130","language":"en","channelvars":{"CHANNEL(linkedid)":"1","X":"a\nb"}},"extra":{"deep":[1,2.5e3,true,false,null,{"k":"v"}]},"application":"hotline"}`
	fast, ref := new(ChannelDialplan), new(ChannelDialplan)
	if err := decodeFast([]byte(in), fast); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(in), ref); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, ref) {
		t.Fatalf("fast %+v\njson %+v", fast, ref)
	}
	if fast.DialplanAppData != `customer "Ivan" é <+7>` || fast.Channel.Caller.Name != "Иван" || fast.Channel.ChannelVars["X"] != "a\nb" {
		t.Errorf("strings: %+v", fast)
	}
	want := time.Date(2026, 11, 27, 3, 9, 32, 788e6, time.UTC)
	if !fast.Timestamp.Equal(want) || fast.Channel.Dialplan.Priority != -2 {
		t.Errorf("timestamp %v priority %d", fast.Timestamp, fast.Channel.Dialplan.Priority)
	}
	if _, off := fast.Channel.CreationTime.Zone(); off != -90*60 {
		t.Errorf("creationtime zone offset %d", off)
	}
}
