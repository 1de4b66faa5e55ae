package hotline_test

import (
	"os/exec"
	"strings"
	"testing"
)

// adapters talk to something outside the program: a database, a network
// protocol, a file format, a metrics system. They may use the domain, never
// each other. Everything else under hotline/ (but cmd, which wires it all,
// and the test-support packages) is domain or library code, which imports
// no adapter.
var adapters = map[string]bool{
	"hotline/crm/postgres":    true,
	"hotline/crm/httpapi":     true,
	"hotline/crm/web":         true,
	"hotline/crm/smtp":        true,
	"hotline/crm/sms":         true,
	"hotline/metrics":         true,
	"hotline/telephony/ari":   true,
	"hotline/telephony/sip":   true,
	"hotline/telephony/spool": true,
	"hotline/telephony/lease": true,
}

// ariApplications are the domain packages that are ARI applications: they
// fold or drive the ARI protocol's own types, as the call tracker folds
// events into calls, so they may import telephony/ari.
var ariApplications = map[string]bool{
	"hotline/telephony":            true,
	"hotline/survey":               true,
	"hotline/telephony/statusline": true,
}

// testSupport are packages that exist for tests (and the simulated PBX
// that `hotline serve` runs when no Asterisk is set).
func testSupport(path string) bool {
	return strings.HasSuffix(path, "test") || strings.Contains(path, "/internal/gen") ||
		path == "hotline/internal/cutproxy"
}

// TestImportRules checks the shape issue 22 set: no domain package imports
// an adapter and no adapter imports another adapter (non-test code; only
// cmd/hotline imports everything).
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		if strings.HasPrefix(pkg, "hotline/cmd/") || pkg == "hotline/deploy" || testSupport(pkg) {
			continue
		}
		for _, imp := range imports {
			if !strings.HasPrefix(imp, "hotline/") {
				continue
			}
			switch {
			case testSupport(imp):
				t.Errorf("%s imports the test-support package %s", pkg, imp)
			case adapters[pkg] && adapters[imp]:
				t.Errorf("adapter %s imports adapter %s", pkg, imp)
			case !adapters[pkg] && adapters[imp] && !(imp == "hotline/telephony/ari" && ariApplications[pkg]):
				t.Errorf("domain package %s imports adapter %s", pkg, imp)
			}
		}
	}
}
