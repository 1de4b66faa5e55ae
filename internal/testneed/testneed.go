// Package testneed is how tests say what they need from the machine: a
// program (Chromium, SIPp, xmllint, promtool, espeak-ng) or a service
// (Redis). Run alone (`go test ./pkg/`), a test whose need is missing is
// skipped with the command that would provide it; run as the README says
// (`make test`, which sets HOTLINE_TEST_REQUIRE_TOOLS=1 after installing
// everything with scripts/deps.sh), it fails instead, so that nothing is
// silently left untested.
package testneed

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// EnvRequire names the variable that turns skips for missing needs into
// failures; `make test` sets it to 1.
const EnvRequire = "HOTLINE_TEST_REQUIRE_TOOLS"

// Required reports whether missing needs fail the test (EnvRequire=1).
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// Tool returns the path of the program name (a name looked up in PATH, or
// an absolute path), or skips the test, or fails it under `make test`,
// naming the Debian package that provides it.
func Tool(tb testing.TB, name, debPackage string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "%s is not installed (apt-get install -y %s, or run scripts/deps.sh): %v", name, debPackage, err)
	}
	return path
}

// Missing skips the test for a missing need described by format and args,
// or fails it when EnvRequire is set.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		tb.Fatalf("%s (%s=1: every test must run)", msg, EnvRequire)
		return
	}
	tb.Skip(msg)
}
