package resource_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

func sampleProject() resource.Project {
	// Friday 2026-03-13: a 3-day task runs Fri, Mon, Tue.
	return resource.Project{ID: 1, Name: "Call centre for ACME", Start: time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC),
		Resources: []resource.PlanAsset{{ID: 7, Name: "Ivan", Kind: resource.AssetUser}, {ID: 8, Name: "PBX server", Kind: resource.AssetEquipment}},
		Tasks: []resource.Task{
			{ID: 11, Name: "Survey", DurationDays: 3, Assigned: []int64{7}},
			{ID: 12, Name: "Install PBX", DurationDays: 2, DependsOn: []int64{11}, Assigned: []int64{7, 8}},
			{ID: 13, Name: "Train agents", DurationDays: 1, DependsOn: []int64{11}},
			{ID: 14, Name: "Go live", DurationDays: 0, DependsOn: []int64{12, 13}},
		}}
}

func TestScheduleSkipsWeekends(t *testing.T) {
	p := sampleProject()
	if err := p.Schedule(false); err != nil {
		t.Fatal(err)
	}
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	want := [][2]time.Time{{at(13, 8), at(17, 17)}, {at(18, 8), at(19, 17)}, {at(18, 8), at(18, 17)}, {at(20, 8), at(20, 8)}}
	for i, w := range want {
		if !p.Tasks[i].Start.Equal(w[0]) || !p.Tasks[i].Finish.Equal(w[1]) {
			t.Errorf("%s: %v – %v, want %v – %v", p.Tasks[i].Name, p.Tasks[i].Start, p.Tasks[i].Finish, w[0], w[1])
		}
	}
}

func TestProjectValidate(t *testing.T) {
	cyc := resource.Project{Name: "x", Start: time.Now(), Tasks: []resource.Task{
		{Name: "a", DurationDays: 1, DependsOn: []int64{2}}, {Name: "b", DurationDays: 1, DependsOn: []int64{1}}}}
	if err := cyc.Validate(); !crm.IsKind(err, crm.KindInvalid) || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("cycle: %v", err)
	}
	bad := resource.Project{Name: "x", Start: time.Now(), Tasks: []resource.Task{{Name: "a", DurationDays: 1, Assigned: []int64{3}}}}
	if err := bad.Validate(); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("unknown resource: %v", err)
	}
}

// TestMSPDIRoundTrip exports a project, moves a task as Microsoft Project
// would (editing the XML), and imports the dates back.
func TestMSPDIRoundTrip(t *testing.T) {
	p := sampleProject()
	if err := p.Schedule(false); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := resource.ExportMSPDI(&buf, p); err != nil {
		t.Fatal(err)
	}
	x := buf.String()
	for _, want := range []string{`<Project xmlns="http://schemas.microsoft.com/project">`, `<UID>12</UID>`,
		`<Start>2026-03-18T08:00:00</Start>`, `<Duration>PT16H0M0S</Duration>`, `<PredecessorUID>11</PredecessorUID>`,
		`<Milestone>1</Milestone>`, `<ResourceUID>8</ResourceUID>`, "<Name>PBX server</Name>\n      <Type>1</Type>"} {
		if !strings.Contains(x, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	if strings.Contains(x, "<Type>0</Type>") {
		t.Error("equipment exported as a Material resource; it is Work (booked by time)")
	}
	// schema order: Start before Finish before Duration; Tasks before Resources before Assignments
	if !(strings.Index(x, "<Start>") < strings.Index(x, "<Finish>") && strings.Index(x, "<Finish>") < strings.Index(x, "<Duration>") &&
		strings.Index(x, "<Tasks>") < strings.Index(x, "<Resources>") && strings.Index(x, "<Resources>") < strings.Index(x, "<Assignments>")) {
		t.Error("elements out of schema order")
	}
	edited := strings.Replace(x, "<Start>2026-03-18T08:00:00</Start>\n      <Finish>2026-03-19T17:00:00</Finish>\n      <Duration>PT16H0M0S</Duration>",
		"<Start>2026-03-23T08:00:00</Start>\n      <Finish>2026-03-25T17:00:00</Finish>\n      <Duration>PT24H0M0S</Duration>", 1)
	if edited == x {
		t.Fatal("could not edit the export")
	}
	dates, err := resource.ImportMSPDI(strings.NewReader(edited), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(dates) != 4 || dates[1].TaskID != 12 || dates[1].DurationDays != 3 ||
		!dates[1].Start.Equal(time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("imported %+v", dates)
	}
	if _, err := resource.ImportMSPDI(strings.NewReader("<html>"), 1<<20); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("garbage: %v", err)
	}
	if svg := resource.GanttSVG(p); !strings.Contains(svg, `class="milestone"`) || strings.Count(svg, `class="task"`) != 3 || strings.Count(svg, `class="dep"`) != 4 {
		t.Fatalf("gantt: %s", svg)
	}
}
