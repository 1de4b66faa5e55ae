package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesUpToDate regenerates the types from the spec and compares
// them with the committed files of package ari.
func TestGeneratedFilesUpToDate(t *testing.T) {
	spec := findSpec(t)
	models, err := loadModels(spec)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := generate(models, out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"models_gen.go", "events_gen.go", "decode_gen.go"} {
		want, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./telephony/ari", name)
		}
	}
}

func findSpec(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("HOTLINE_SHARED_DIR"); d != "" {
		return filepath.Join(d, "ari", "spec")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "shared", "ari", "spec")
		if _, err := os.Stat(filepath.Join(cand, "events.json")); err == nil {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/ari/spec not found above the working directory; set HOTLINE_SHARED_DIR")
		}
		dir = parent
	}
}
