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
	for _, name := range []string{"models_gen.go", "events_gen.go", "decode_models_gen.go", "decode_events_gen.go"} {
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

// findSpec is the spec the generator reads: telephony/ari/spec, in the repository.
func findSpec(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "spec")
	if _, err := os.Stat(filepath.Join(dir, "events.json")); err != nil {
		t.Fatal(err)
	}
	return dir
}
