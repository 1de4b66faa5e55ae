package resource

// BrokenDependency is a task that starts before a task it depends on
// finishes (after dates were imported from Microsoft Project, say).
type BrokenDependency struct {
	Task, DependsOn string
}

// BrokenDependencies lists the project's tasks that start before a task
// they depend on (by stored ID) finishes.
func BrokenDependencies(p Project) []BrokenDependency {
	byID := make(map[int64]Task, len(p.Tasks))
	for _, t := range p.Tasks {
		byID[t.ID] = t
	}
	var out []BrokenDependency
	for _, t := range p.Tasks {
		for _, d := range t.DependsOn {
			if dep, ok := byID[d]; ok && t.Start.Before(dep.Finish) {
				out = append(out, BrokenDependency{Task: t.Name, DependsOn: dep.Name})
			}
		}
	}
	return out
}
