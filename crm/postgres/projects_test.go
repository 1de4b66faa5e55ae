package postgres_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

// testProjectRoundTrip stores a project, exports it to MSPDI, moves a task
// in the XML and imports the file back.
func testProjectRoundTrip(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	p := resource.Project{Name: "Install", ClientID: &e.client, Start: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC),
		Resources: []resource.PlanAsset{{Name: "Engineer", Kind: resource.AssetUser}},
		Tasks:     []resource.Task{{Name: "Survey", DurationDays: 2, Assigned: []int64{1}}, {Name: "Install", DurationDays: 3, DependsOn: []int64{1}, Assigned: []int64{1}}}}
	if err := e.st.Projects.CreateProject(e.ctx, &p); err != nil {
		t.Fatal(err)
	}
	got, err := e.st.Projects.GetProject(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tasks) != 2 || got.Tasks[1].DependsOn[0] != got.Tasks[0].ID || len(got.Resources) != 1 ||
		!got.Tasks[1].Start.Equal(time.Date(2026, 3, 18, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("stored %+v", got)
	}
	var buf bytes.Buffer
	if err := resource.ExportMSPDI(&buf, got); err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(buf.String(), "<Start>2026-03-18T08:00:00</Start>", "<Start>2026-03-23T08:00:00</Start>", 1)
	edited = strings.Replace(edited, "<Finish>2026-03-20T17:00:00</Finish>", "<Finish>2026-03-25T17:00:00</Finish>", 1)
	dates, err := resource.ImportMSPDI(strings.NewReader(edited), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.st.Projects.ApplyTaskDates(e.ctx, p.ID, dates); err != nil || n != 2 {
		t.Fatalf("applied %d: %v", n, err)
	}
	again, _ := e.st.Projects.GetProject(e.ctx, p.ID)
	if !again.Tasks[1].Start.Equal(time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)) || !again.Tasks[1].Finish.Equal(time.Date(2026, 3, 25, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("after import: %+v", again.Tasks[1])
	}
	if _, err := e.st.Projects.ApplyTaskDates(e.ctx, p.ID, []resource.TaskDates{{TaskID: 999999, Start: time.Now(), Finish: time.Now()}}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("foreign task: %v", err)
	}
}
