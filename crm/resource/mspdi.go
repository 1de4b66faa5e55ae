package resource

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"hotline/crm"
)

// Microsoft Project XML (MSPDI, namespace http://schemas.microsoft.com/project),
// the exchange format Microsoft Project and ProjectLibre open. Elements are
// written in the order the schema's sequences require (mspdi_pj12.xsd);
// testdata/mspdi_hotline.xsd describes exactly what we write, and the
// tests validate every export against it.
// Task UIDs are our task IDs and resource UIDs our resource IDs, so an
// edited file imported back updates the same tasks.

const mspdiTime = "2006-01-02T15:04:05"

type mspdiProject struct {
	XMLName           xml.Name          `xml:"http://schemas.microsoft.com/project Project"`
	SaveVersion       int               `xml:"SaveVersion"`
	Name              string            `xml:"Name"`
	Title             string            `xml:"Title"`
	ScheduleFromStart int               `xml:"ScheduleFromStart"`
	StartDate         string            `xml:"StartDate"`
	FinishDate        string            `xml:"FinishDate"`
	CurrencyCode      string            `xml:"CurrencyCode"` // required by mspdi_pj12.xsd
	DefaultStartTime  string            `xml:"DefaultStartTime"`
	DefaultFinishTime string            `xml:"DefaultFinishTime"`
	MinutesPerDay     int               `xml:"MinutesPerDay"`
	MinutesPerWeek    int               `xml:"MinutesPerWeek"`
	DaysPerMonth      int               `xml:"DaysPerMonth"`
	Tasks             []mspdiTask       `xml:"Tasks>Task"`
	Resources         []mspdiResource   `xml:"Resources>Resource"`
	Assignments       []mspdiAssignment `xml:"Assignments>Assignment"`
}

type mspdiTask struct {
	UID             int64       `xml:"UID"`
	ID              int         `xml:"ID"`
	Name            string      `xml:"Name"`
	OutlineLevel    int         `xml:"OutlineLevel"`
	Start           string      `xml:"Start"`
	Finish          string      `xml:"Finish"`
	Duration        string      `xml:"Duration"`
	DurationFormat  int         `xml:"DurationFormat"`
	Milestone       int         `xml:"Milestone"`
	Summary         int         `xml:"Summary"`
	PredecessorLink []mspdiLink `xml:"PredecessorLink"`
}

type mspdiLink struct {
	PredecessorUID int64 `xml:"PredecessorUID"`
	Type           int   `xml:"Type"` // 1: finish-to-start
}

type mspdiResource struct {
	UID  int64  `xml:"UID"`
	ID   int    `xml:"ID"`
	Name string `xml:"Name"`
	Type int    `xml:"Type"` // 1: work, 0: material
}

// MSPDI resource types: mspdiWork for people and equipment, mspdiMaterial
// for what is consumed.
const (
	mspdiMaterial = 0
	mspdiWork     = 1
)

type mspdiAssignment struct {
	UID         int64   `xml:"UID"`
	TaskUID     int64   `xml:"TaskUID"`
	ResourceUID int64   `xml:"ResourceUID"`
	Units       float64 `xml:"Units"`
}

// ExportMSPDI writes a stored project as MSPDI.
func ExportMSPDI(w io.Writer, p Project) error {
	x := mspdiProject{SaveVersion: 14, Name: p.Name + ".xml", Title: p.Name, ScheduleFromStart: 1, CurrencyCode: "RUB",
		StartDate: workStart(p.Start).Format(mspdiTime), DefaultStartTime: "08:00:00", DefaultFinishTime: "17:00:00",
		MinutesPerDay: 480, MinutesPerWeek: 2400, DaysPerMonth: 20}
	finish := workStart(p.Start)
	var aUID int64
	for i, t := range p.Tasks {
		mt := mspdiTask{UID: t.ID, ID: i + 1, Name: t.Name, OutlineLevel: 1, Start: t.Start.Format(mspdiTime),
			Finish: t.Finish.Format(mspdiTime), Duration: fmt.Sprintf("PT%dH0M0S", 8*t.DurationDays), DurationFormat: 7}
		if t.DurationDays == 0 {
			mt.Milestone = 1
		}
		for _, d := range t.DependsOn {
			mt.PredecessorLink = append(mt.PredecessorLink, mspdiLink{PredecessorUID: d, Type: 1})
		}
		x.Tasks = append(x.Tasks, mt)
		for _, r := range t.Assigned {
			aUID++
			x.Assignments = append(x.Assignments, mspdiAssignment{UID: aUID, TaskUID: t.ID, ResourceUID: r, Units: 1})
		}
		if t.Finish.After(finish) {
			finish = t.Finish
		}
	}
	x.FinishDate = finish.Format(mspdiTime)
	for i, r := range p.Resources {
		// MSPDI resource types: 0 Material (consumed, e.g. cable by the
		// metre), 1 Work (people and equipment, booked by time), 2 Cost.
		// People and equipment are booked by time; material is consumed.
		typ := mspdiWork
		if r.Kind == AssetMaterial {
			typ = mspdiMaterial
		}
		x.Resources = append(x.Resources, mspdiResource{UID: r.ID, ID: i + 1, Name: r.Name, Type: typ})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write mspdi: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err != nil {
		return fmt.Errorf("write mspdi: %w", err)
	}
	return nil
}

// TaskDates are the dates an imported file gives a task.
type TaskDates struct {
	TaskID       int64     `json:"task_id"`
	Start        time.Time `json:"start"`
	Finish       time.Time `json:"finish"`
	DurationDays int       `json:"duration_days"`
}

// mspdiNamespaces are the namespaces Microsoft Project writes: the plain
// one (Project 2010 and later, ProjectLibre) and /2007 (Project 2007).
var mspdiNamespaces = map[string]bool{
	"http://schemas.microsoft.com/project":      true,
	"http://schemas.microsoft.com/project/2007": true,
}

// mspdiImport is the part of an MSPDI file an import reads, in either of
// mspdiNamespaces (the root's namespace is checked after decoding; child
// tags without a namespace match the root's).
type mspdiImport struct {
	XMLName xml.Name    `xml:"Project"`
	Tasks   []mspdiTask `xml:"Tasks>Task"`
}

// ImportMSPDI reads the task dates of an MSPDI file (at most maxBytes) in
// either namespace Microsoft Project writes (mspdiNamespaces).
// Tasks are matched by UID; summary tasks and UID 0 (the project summary)
// are skipped.
func ImportMSPDI(r io.Reader, maxBytes int64) ([]TaskDates, error) {
	var x mspdiImport
	dec := xml.NewDecoder(io.LimitReader(r, maxBytes))
	if err := dec.Decode(&x); err != nil {
		return nil, crm.Errorf(crm.KindInvalid, "not a Microsoft Project XML file: %v", err)
	}
	if !mspdiNamespaces[x.XMLName.Space] {
		return nil, crm.Errorf(crm.KindInvalid, "not a Microsoft Project XML file: namespace %q", x.XMLName.Space)
	}
	var out []TaskDates
	for _, t := range x.Tasks {
		if t.UID == 0 || t.Summary == 1 {
			continue
		}
		s, err1 := time.Parse(mspdiTime, t.Start)
		f, err2 := time.Parse(mspdiTime, t.Finish)
		if err1 != nil || err2 != nil || f.Before(s) {
			return nil, crm.Errorf(crm.KindInvalid, "task UID %d: bad start/finish %q %q", t.UID, t.Start, t.Finish)
		}
		days := WorkingDays(s, f)
		if h, ok := durationHours(t.Duration); ok {
			days = (h + 7) / 8
		}
		out = append(out, TaskDates{TaskID: t.UID, Start: s, Finish: f, DurationDays: days})
	}
	return out, nil
}

// durationHours reads "PT16H0M0S".
func durationHours(d string) (int, bool) {
	var h, m, s int
	if _, err := fmt.Sscanf(d, "PT%dH%dM%dS", &h, &m, &s); err != nil {
		return 0, false
	}
	return h, true
}
