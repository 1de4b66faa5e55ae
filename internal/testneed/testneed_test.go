package testneed

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a need was reported instead
// of stopping the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }
func (r *recorder) Skip(args ...any)             { r.skip = fmt.Sprint(args...) }

func TestMissingToolSkipsAloneAndFailsUnderMakeTest(t *testing.T) {
	const absent = "hotline-no-such-program"
	t.Run("alone", func(t *testing.T) {
		t.Setenv(EnvRequire, "")
		r := &recorder{TB: t}
		if p := Tool(r, absent, "some-package"); p != "" || r.fatal != "" || r.skip == "" {
			t.Fatalf("path %q fatal %q skip %q: want a skip", p, r.fatal, r.skip)
		}
	})
	t.Run("make test", func(t *testing.T) {
		t.Setenv(EnvRequire, "1")
		r := &recorder{TB: t}
		Tool(r, absent, "some-package")
		if r.skip != "" || r.fatal == "" {
			t.Fatalf("fatal %q skip %q: want a failure", r.fatal, r.skip)
		}
		for _, want := range []string{absent, "apt-get install -y some-package", EnvRequire} {
			if !strings.Contains(r.fatal, want) {
				t.Errorf("failure %q does not name %q", r.fatal, want)
			}
		}
	})
	t.Run("present", func(t *testing.T) {
		t.Setenv(EnvRequire, "1")
		r := &recorder{TB: t}
		if p := Tool(r, "sh", "dash"); p == "" || r.fatal != "" || r.skip != "" {
			t.Fatalf("sh: path %q fatal %q skip %q", p, r.fatal, r.skip)
		}
	})
}
