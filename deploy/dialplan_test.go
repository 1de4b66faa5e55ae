package deploy

import "testing"

func TestMatchExten(t *testing.T) {
	cases := []struct {
		name, pattern, exten string
		want                 bool
	}{
		{"any digits take no plus", "_X.", "+74957654321", false},
		{"any digits", "_X.", "84957654321", true},
		{"plus then digits", "_+X.", "+74957654321", true},
		{"plus then digits needs one after X", "_+X.", "+7", false},
		{"dot needs one more", "_+X.", "+", false},
		{"eleven national digits", "_8XXXXXXXXXX", "84957654321", true},
		{"ten are too few", "_8XXXXXXXXXX", "8495765432", false},
		{"twelve are too many", "_8XXXXXXXXXX", "849576543210", false},
		{"E.164 is not national", "_8XXXXXXXXXX", "+74957654321", false},
		{"set with range", "_+7[3489]XXXXXXXXX", "+74957654321", true},
		{"set excludes", "_+7[3489]XXXXXXXXX", "+75957654321", false},
		{"N is 2-9", "_NXXXXXX", "1234567", false},
		{"Z is 1-9", "_ZXX", "123", true},
		{"bang takes nothing", "_+7!", "+7", true},
		{"dashes ignored", "_8-XXX-XXX-XX-XX", "84957654321", true},
		{"literal", "7001", "7001", true},
		{"literal differs", "7001", "7002", false},
		{"unclosed set", "_[12", "1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchExten(tc.pattern, tc.exten); got != tc.want {
				t.Errorf("MatchExten(%q, %q) = %v, want %v", tc.pattern, tc.exten, got, tc.want)
			}
		})
	}
}
