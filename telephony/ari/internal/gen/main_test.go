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
	made, _ := filepath.Glob(filepath.Join(out, "*_gen.go"))
	committed, _ := filepath.Glob(filepath.Join("..", "..", "*_gen.go"))
	if len(made) != len(committed) {
		t.Errorf("%d generated files, %d committed: run go generate ./telephony/ari", len(made), len(committed))
	}
	for _, path := range made {
		name := filepath.Base(path)
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Errorf("%s is not committed: run go generate ./telephony/ari", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./telephony/ari", name)
		}
		if n := bytes.Count(want, []byte("\n")); n > 500 {
			t.Errorf("%s has %d lines: split its resource further (eventGroup)", name, n)
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
