package resource_test

import (
	"testing"
	"time"

	"hotline/crm/resource"
)

func TestBrokenDependencies(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, time.UTC) }
	p := resource.Project{Tasks: []resource.Task{
		{ID: 1, Name: "Монтаж", Start: day(7, 8), Finish: day(8, 17)},
		{ID: 2, Name: "Настройка", Start: day(9, 8), Finish: day(9, 17), DependsOn: []int64{1}},
		{ID: 3, Name: "Запуск", Start: day(9, 12), Finish: day(10, 17), DependsOn: []int64{2, 1}},
	}}
	got := resource.BrokenDependencies(p)
	if len(got) != 1 || got[0].Task != "Запуск" || got[0].DependsOn != "Настройка" {
		t.Fatalf("broken %+v", got)
	}
}
