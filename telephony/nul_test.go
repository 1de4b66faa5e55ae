package telephony

import (
	"bytes"
	"testing"
)

// An escaped NUL in a frame's strings becomes U+FFFD; a backslash followed
// by the text u0000 stays as it is; a frame without one is not copied.
func TestWithoutNUL(t *testing.T) {
	for in, want := range map[string]string{
		`{"name":"Ivan\u0000Petrov"}`:        `{"name":"Ivan\ufffdPetrov"}`,
		`{"a":"\u0000","b":"x\u0000\u0000"}`: `{"a":"\ufffd","b":"x\ufffd\ufffd"}`,
		`{"name":"a\\u0000b"}`:               `{"name":"a\\u0000b"}`,
		`{"name":"a\\\u0000b"}`:              `{"name":"a\\\ufffdb"}`,
		`{"name":"\\\\u0000"}`:               `{"name":"\\\\u0000"}`,
	} {
		if got := withoutNUL([]byte(in)); string(got) != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
	plain := []byte(`{"name":"Ivan Petrov"}`)
	if got := withoutNUL(plain); &got[0] != &plain[0] || !bytes.Equal(got, plain) {
		t.Error("a frame without NUL was copied or changed")
	}
}
