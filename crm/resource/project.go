package resource

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Project is planned work for a client or a deal: tasks with durations,
// finish-to-start dependencies and assigned resources.
type Project struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	ClientID  *int64      `json:"client_id,omitempty"`
	DealID    *int64      `json:"deal_id,omitempty"`
	Start     time.Time   `json:"start"` // first working day, 08:00
	Tasks     []Task      `json:"tasks"`
	Resources []PlanAsset `json:"resources"`
}

// Task is one piece of a project. DependsOn and Assigned hold task and
// resource IDs once stored; in a new project they hold 1-based positions
// in Tasks and Resources.
type Task struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	DurationDays int       `json:"duration_days"`
	Start        time.Time `json:"start"`
	Finish       time.Time `json:"finish"`
	DependsOn    []int64   `json:"depends_on,omitempty"`
	Assigned     []int64   `json:"assigned,omitempty"`
}

// AssetKind is what a plan resource is.
type AssetKind string

// Plan resource kinds: people's work, equipment (both booked by time) and
// material (consumed).
const (
	AssetUser      AssetKind = "user"
	AssetEquipment AssetKind = "equipment"
	AssetMaterial  AssetKind = "material"
)

// AssetKinds are the plan resource kinds, in the order forms offer them.
var AssetKinds = []AssetKind{AssetUser, AssetMaterial, AssetEquipment}

// Valid reports whether k is one of AssetKinds.
func (k AssetKind) Valid() bool { return k == AssetUser || k == AssetEquipment || k == AssetMaterial }

// PlanAsset is a person, a piece of equipment or a material tasks use.
type PlanAsset struct {
	ID     int64     `json:"id"`
	Name   string    `json:"name"`
	Kind   AssetKind `json:"kind"`
	UserID *int64    `json:"user_id,omitempty"`
}

// Validate checks a new project: names, durations and that dependencies
// and assignments point at existing positions without cycles.
func (p *Project) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if err := crm.CheckText("name", p.Name); err != nil {
		return err
	}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 {
		return crm.Invalid("name", "is required (at most 200 characters)")
	}
	if p.Start.IsZero() {
		return crm.Invalid("start", "is required")
	}
	if len(p.Tasks) > MaxTasks {
		return crm.Invalid("tasks", "a project has at most 2000 tasks")
	}
	for i, r := range p.Resources {
		if strings.TrimSpace(r.Name) == "" || !r.Kind.Valid() {
			return crm.Invalid("resources", "resource %d needs a name and kind user, material or equipment", i+1)
		}
	}
	for i, t := range p.Tasks {
		if strings.TrimSpace(t.Name) == "" || t.DurationDays < 0 || t.DurationDays > 3650 {
			return crm.Invalid("tasks", "task %d needs a name and a duration of 0-3650 days", i+1)
		}
		for _, d := range t.DependsOn {
			if d < 1 || int(d) > len(p.Tasks) || int(d) == i+1 {
				return crm.Invalid("tasks", "task %d depends on %d, which is not another task", i+1, d)
			}
		}
		for _, a := range t.Assigned {
			if a < 1 || int(a) > len(p.Resources) {
				return crm.Invalid("tasks", "task %d is assigned resource %d, which does not exist", i+1, a)
			}
		}
	}
	if _, err := p.order(func(t Task) []int64 { return t.DependsOn }, func(id int64) int { return int(id) - 1 }); err != nil {
		return err
	}
	return nil
}

// order returns task indexes with every task after its predecessors.
func (p *Project) order(deps func(Task) []int64, index func(int64) int) ([]int, error) {
	state := make([]int, len(p.Tasks)) // 0 new, 1 visiting, 2 done
	var out []int
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 1:
			return crm.Invalid("tasks", "dependencies form a cycle through task %q", p.Tasks[i].Name)
		case 2:
			return nil
		}
		state[i] = 1
		for _, d := range deps(p.Tasks[i]) {
			j := index(d)
			if j < 0 {
				continue
			}
			if err := visit(j); err != nil {
				return err
			}
		}
		state[i], out = 2, append(out, i)
		return nil
	}
	for i := range p.Tasks {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Schedule sets every task's dates from the project start: a task starts
// at 08:00 on the first working day (Monday-Friday) after its
// predecessors finish and lasts DurationDays working days, ending at
// 17:00 (a zero-day task is a milestone at its start). DependsOn holds
// task IDs (stored projects) or positions (new ones, byPosition).
func (p *Project) Schedule(byPosition bool) error {
	index := func(id int64) int {
		if byPosition {
			return int(id) - 1
		}
		for i, t := range p.Tasks {
			if t.ID == id {
				return i
			}
		}
		return -1
	}
	ord, err := p.order(func(t Task) []int64 { return t.DependsOn }, index)
	if err != nil {
		return err
	}
	start := workStart(p.Start)
	for _, i := range ord {
		t := &p.Tasks[i]
		s := start
		for _, d := range t.DependsOn {
			if j := index(d); j >= 0 {
				if next := nextWorkStart(p.Tasks[j].Finish); next.After(s) {
					s = next
				}
			}
		}
		t.Start, t.Finish = s, finishAfter(s, t.DurationDays)
	}
	return nil
}

func isWeekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

// workStart is 08:00 of the day of t, moved to Monday from a weekend.
func workStart(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC)
	for isWeekend(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// nextWorkStart is when work can start after a finish: the next working
// day's 08:00 (a milestone's finish at 08:00 lets work start the same day).
func nextWorkStart(finish time.Time) time.Time {
	if finish.Hour() == 8 && finish.Minute() == 0 {
		return workStart(finish)
	}
	return workStart(finish.AddDate(0, 0, 1))
}

func finishAfter(start time.Time, days int) time.Time {
	if days == 0 {
		return start
	}
	d := start
	for n := 1; n < days; {
		d = d.AddDate(0, 0, 1)
		if !isWeekend(d) {
			n++
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 17, 0, 0, 0, time.UTC)
}

// WorkingDays counts the working days a task spans (for imported dates).
func WorkingDays(start, finish time.Time) int {
	if !finish.After(start) {
		return 0
	}
	n := 0
	for d := workStart(start); !d.After(finish); d = d.AddDate(0, 0, 1) {
		if !isWeekend(d) {
			n++
		}
	}
	return n
}

// String names a task for errors.
func (t Task) String() string { return fmt.Sprintf("task %d %q", t.ID, t.Name) }
