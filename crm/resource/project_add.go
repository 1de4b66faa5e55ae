package resource

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// MaxTasks and MaxResources bound one project.
const (
	MaxTasks     = 2000
	MaxResources = 500
)

// PlanTask checks a task to add to the stored project p and sets its
// dates: it starts at 08:00 on its start day (the project's start when
// zero, never before it; a weekend moves to Monday) or, if later, on the
// first working day after its predecessors finish, and lasts DurationDays
// working days. DependsOn holds IDs of p's tasks.
func (p *Project) PlanTask(t Task) (Task, error) {
	t.Name = strings.TrimSpace(t.Name)
	if err := crm.CheckText("name", t.Name); err != nil {
		return t, err
	}
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 200 {
		return t, crm.Invalid("name", "is required (at most 200 characters)")
	}
	if t.DurationDays < 0 || t.DurationDays > 3650 {
		return t, crm.Invalid("duration_days", "must be 0-3650 working days")
	}
	if len(p.Tasks) >= MaxTasks {
		return t, crm.Invalid("tasks", "a project has at most 2000 tasks")
	}
	start := t.Start
	if start.IsZero() || start.Before(p.Start) {
		start = p.Start
	}
	s := workStart(start)
	slices.Sort(t.DependsOn)
	t.DependsOn = slices.Compact(t.DependsOn)
	for _, d := range t.DependsOn {
		i := slices.IndexFunc(p.Tasks, func(x Task) bool { return x.ID == d })
		if i < 0 {
			return t, crm.Invalid("depends_on", "task %d is not a task of this project", d)
		}
		if next := nextWorkStart(p.Tasks[i].Finish); next.After(s) {
			s = next
		}
	}
	t.Start, t.Finish = s, finishAfter(s, t.DurationDays)
	return t, nil
}

// CheckAsset checks a resource to add to a project.
func CheckAsset(a *PlanAsset) error {
	a.Name = strings.TrimSpace(a.Name)
	if err := crm.CheckText("name", a.Name); err != nil {
		return err
	}
	if a.Name == "" || utf8.RuneCountInString(a.Name) > 200 {
		return crm.Invalid("name", "is required (at most 200 characters)")
	}
	if !a.Kind.Valid() {
		return crm.Invalid("kind", "must be user, material or equipment")
	}
	return nil
}

// ParseDay reads a form's YYYY-MM-DD date as a project day (UTC midnight,
// as project starts are stored).
func ParseDay(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, crm.Invalid("start", "must be a date YYYY-MM-DD")
	}
	return d, nil
}
