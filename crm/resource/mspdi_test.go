package resource_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/crm/resource"
	"hotline/internal/testneed"
)

// validateMSPDI checks a file against testdata/mspdi_hotline.xsd, our
// description of the MSPDI subset we write, with xmllint (Debian
// libxml2-utils; .ci/run installs it).
func validateMSPDI(t *testing.T, x []byte) error {
	t.Helper()
	xmllint := testneed.Tool(t, "xmllint", "libxml2-utils")
	f := filepath.Join(t.TempDir(), "export.xml")
	if err := os.WriteFile(f, x, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/mspdi_hotline.xsd", f).CombinedOutput()
	if err != nil {
		return &xmllintError{string(out)}
	}
	return nil
}

type xmllintError struct{ out string }

func (e *xmllintError) Error() string { return e.out }

// TestMSPDIExportIsValidAndRoundTrips validates exports against the schema
// and imports them back unchanged: every task's start, finish and duration.
func TestMSPDIExportIsValidAndRoundTrips(t *testing.T) {
	russian := sampleProject()
	russian.Name = `Колл-центр «Восток» & <филиал>`
	russian.Tasks[0].Name = "Обследование объекта"
	russian.Resources[0].Name = "Иван Петров"
	empty := resource.Project{ID: 2, Name: "Empty", Start: sampleProject().Start}
	for name, p := range map[string]resource.Project{"sample": sampleProject(), "russian names": russian, "no tasks": empty} {
		t.Run(name, func(t *testing.T) {
			if err := p.Schedule(false); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := resource.ExportMSPDI(&buf, p); err != nil {
				t.Fatal(err)
			}
			if err := validateMSPDI(t, buf.Bytes()); err != nil {
				t.Fatalf("export does not validate:\n%v\n%s", err, buf.Bytes())
			}
			dates, err := resource.ImportMSPDI(bytes.NewReader(buf.Bytes()), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if len(dates) != len(p.Tasks) {
				t.Fatalf("imported %d tasks of %d", len(dates), len(p.Tasks))
			}
			for i, d := range dates {
				want := p.Tasks[i]
				if d.TaskID != want.ID || !d.Start.Equal(want.Start) || !d.Finish.Equal(want.Finish) || d.DurationDays != want.DurationDays {
					t.Errorf("task %d came back as %+v, was %d %v %v %d days", i, d, want.ID, want.Start, want.Finish, want.DurationDays)
				}
			}
		})
	}
}

// TestMSPDISchemaRejects shows the schema bites: each broken export fails.
func TestMSPDISchemaRejects(t *testing.T) {
	p := sampleProject()
	if err := p.Schedule(false); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := resource.ExportMSPDI(&buf, p); err != nil {
		t.Fatal(err)
	}
	x := buf.String()
	for name, broken := range map[string]string{
		"finish before start":  strings.Replace(x, "<Start>2026-03-13T08:00:00</Start>\n      <Finish>", "<Finish>2026-03-13T08:00:00</Finish>\n      <Start>", 1),
		"no currency code":     strings.Replace(x, "<CurrencyCode>RUB</CurrencyCode>", "", 1),
		"wrong namespace":      strings.Replace(x, `xmlns="http://schemas.microsoft.com/project"`, `xmlns="http://schemas.microsoft.com/project/2007"`, 1),
		"bad duration":         strings.Replace(x, "PT16H0M0S", "16 hours", 1),
		"unknown predecessor":  strings.Replace(x, "<PredecessorUID>11</PredecessorUID>", "<PredecessorUID>99</PredecessorUID>", 1),
		"dangling assignment":  strings.Replace(x, "<ResourceUID>8</ResourceUID>", "<ResourceUID>9</ResourceUID>", 1),
		"link type out of set": strings.Replace(x, "<Type>1</Type>\n      </PredecessorLink>", "<Type>7</Type>\n      </PredecessorLink>", 1),
	} {
		if broken == x {
			t.Errorf("%s: could not break the export", name)
			continue
		}
		if err := validateMSPDI(t, []byte(broken)); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// TestMSPDIImportBothNamespaces imports a file in Project 2007's namespace
// (http://schemas.microsoft.com/project/2007) as well as the plain one,
// and refuses any other namespace.
func TestMSPDIImportBothNamespaces(t *testing.T) {
	x2007, err := os.ReadFile("testdata/project2007.xml")
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Replace(x2007, []byte("/project/2007"), []byte("/project"), 1)
	utc := time.UTC
	want := []resource.TaskDates{
		{TaskID: 11, Start: time.Date(2026, 3, 13, 8, 0, 0, 0, utc), Finish: time.Date(2026, 3, 17, 17, 0, 0, 0, utc), DurationDays: 3},
		{TaskID: 12, Start: time.Date(2026, 3, 18, 8, 0, 0, 0, utc), Finish: time.Date(2026, 3, 19, 17, 0, 0, 0, utc), DurationDays: 2},
	}
	for name, x := range map[string][]byte{"2007": x2007, "plain": plain} {
		t.Run(name, func(t *testing.T) {
			dates, err := resource.ImportMSPDI(bytes.NewReader(x), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if len(dates) != len(want) {
				t.Fatalf("imported %+v, want %+v", dates, want)
			}
			for i := range want {
				d := dates[i]
				if d.TaskID != want[i].TaskID || !d.Start.Equal(want[i].Start) || !d.Finish.Equal(want[i].Finish) || d.DurationDays != want[i].DurationDays {
					t.Errorf("task %d: got %+v, want %+v", i, d, want[i])
				}
			}
		})
	}
	for name, ns := range map[string]string{"other namespace": "http://example.com/project", "no namespace": ""} {
		x := bytes.Replace(x2007, []byte(`xmlns="http://schemas.microsoft.com/project/2007"`), []byte(`xmlns="`+ns+`"`), 1)
		if ns == "" {
			x = bytes.Replace(x2007, []byte(` xmlns="http://schemas.microsoft.com/project/2007"`), nil, 1)
		}
		if _, err := resource.ImportMSPDI(bytes.NewReader(x), 1<<20); err == nil || !strings.Contains(err.Error(), "namespace") {
			t.Errorf("%s: imported, err %v", name, err)
		}
	}
}
