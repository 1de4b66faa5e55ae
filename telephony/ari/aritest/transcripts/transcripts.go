// Package transcripts finds the ARI event streams recorded from a real
// Asterisk (shared/ari/transcripts, outside the repository) for tests and
// benchmarks. It is a package of its own, importing nothing of Hotline, so
// that package ari's own tests can use it too (they cannot import aritest,
// which imports ari).
package transcripts

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvSharedDir names the environment variable that points at the shared
// folder (the one holding ari/transcripts) when it is not above the
// working directory.
const EnvSharedDir = "HOTLINE_SHARED_DIR"

// Dir returns the transcripts directory: $HOTLINE_SHARED_DIR/ari/transcripts,
// or the first shared/ari/transcripts above the working directory. It skips
// tb when there is none.
func Dir(tb testing.TB) string {
	tb.Helper()
	d := Find()
	if d == "" {
		tb.Skip("shared/ari/transcripts not found above the working directory; set " + EnvSharedDir)
	}
	return d
}

// Find is Dir without the skip: "" when there is no transcripts directory.
func Find() string {
	if d := os.Getenv(EnvSharedDir); d != "" {
		return filepath.Join(d, "ari", "transcripts")
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", "ari", "transcripts")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
