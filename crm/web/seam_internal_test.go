package web

import (
	"testing"

	"hotline/crm/httpapi"
)

// The pages mount on the API's server through Server.
var _ Server = (*httpapi.Server)(nil)

// TestSeamAgreesWithTheAPI: the limits and paths the pages copy from the
// API are the API's.
func TestSeamAgreesWithTheAPI(t *testing.T) {
	if maxFormBytes != httpapi.MaxFormBytes {
		t.Errorf("maxFormBytes = %d, the API checks forms up to %d", maxFormBytes, httpapi.MaxFormBytes)
	}
	if consoleSocketPath != httpapi.ConsoleSocketPath {
		t.Errorf("consoleSocketPath = %q, the API serves %q", consoleSocketPath, httpapi.ConsoleSocketPath)
	}
	if got, want := statusPath("abc"), httpapi.StatusPath("abc"); got != want {
		t.Errorf("statusPath = %q, the API links %q", got, want)
	}
}
