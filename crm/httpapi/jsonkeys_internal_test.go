package httpapi

import "testing"

func TestDuplicateKey(t *testing.T) {
	cases := []struct {
		name, doc, path string
		dup             bool
	}{
		{"flat", `{"a":1,"b":2}`, "", false},
		{"flat duplicate", `{"a":1,"a":2}`, ".a", true},
		{"nested duplicate", `{"a":{"x":1,"y":{"z":1},"x":2}}`, ".a.x", true},
		{"same key in siblings", `{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}`, "", false},
		{"in array", `{"list":[{"k":1},{"k":1,"k":2}]}`, ".list[1].k", true},
		{"key equal to a value", `{"a":"b","b":"a"}`, "", false},
		{"escaped duplicate", `{"pass":1,"p\u0061ss":2}`, ".pass", true},
		{"after nested object", `{"a":{"b":1},"a":2}`, ".a", true},
		{"top-level array", `[{"a":1},{"a":1}]`, "", false},
		{"not json", `{"a":1,"b"`, "", false},
		{"duplicate before the end of broken json", `{"a":1,"a"`, ".a", true},
		{"scalar", `"x"`, "", false},
	}
	for _, tc := range cases {
		path, dup := duplicateKey([]byte(tc.doc))
		if dup != tc.dup || path != tc.path {
			t.Errorf("%s: (%q, %v), want (%q, %v)", tc.name, path, dup, tc.path, tc.dup)
		}
	}
}
