package deploy

import (
	"os/exec"
	"strings"
	"testing"
)

// cryptMatches against hashes written by openssl passwd and the vectors of
// the SHA-crypt specification.
func TestCryptMatches(t *testing.T) {
	cases := []struct{ hash, password string }{
		// openssl passwd -6 -salt abc pw
		{"$6$abc$MtSdWSZbhct2oe.SOqOUM2M/GA/uj5.vyVtJgRHgKi9uqXuWuJqOYE7H/YlsYGVg/YYzDV0xt3fEIwYt580.5.", "pw"},
		// the specification's test vectors
		{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "Hello world!"},
		{"$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.", "Hello world!"},
		// openssl passwd -5 -salt saltstring 'Hello world!'
		{"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!"},
		{"$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA", "Hello world!"},
		{sampleARIHash, "CHANGE-ME-ari-password"},
	}
	for _, tc := range cases {
		if match, ok := cryptMatches(tc.hash, tc.password); !match || !ok {
			t.Errorf("cryptMatches(%s, %q) = %v, %v; want a match", tc.hash, tc.password, match, ok)
		}
		if match, _ := cryptMatches(tc.hash, tc.password+"x"); match {
			t.Errorf("%s matches a wrong password", tc.hash)
		}
	}
	if _, ok := cryptMatches("$1$abc$xyz", "pw"); ok {
		t.Error("an MD5 crypt hash is reported as checkable")
	}
	// and whatever openssl writes now
	if openssl, err := exec.LookPath("openssl"); err == nil {
		out, err := exec.Command(openssl, "passwd", "-6", "a long ARI password, with spaces").Output()
		if err != nil {
			t.Fatal(err)
		}
		h := strings.TrimSpace(string(out))
		if match, ok := cryptMatches(h, "a long ARI password, with spaces"); !match || !ok {
			t.Errorf("openssl's %s does not match", h)
		}
	}
}
