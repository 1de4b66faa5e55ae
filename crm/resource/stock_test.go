package resource_test

import (
	"fmt"
	"testing"
	"time"

	"hotline/crm/resource"
)

func day(s string) *resource.Date {
	d, err := resource.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestAllocate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cands := []resource.Candidate{
		{LotID: 1, ReceivedAt: t0, ExpiresOn: day("2026-09-01"), Free: 5},
		{LotID: 2, ReceivedAt: t0.Add(time.Hour), ExpiresOn: day("2026-04-01"), Free: 5},
		{LotID: 3, ReceivedAt: t0.Add(2 * time.Hour), Free: 5},
		{LotID: 4, ReceivedAt: t0.Add(-time.Hour), ExpiresOn: day("2026-02-01"), Free: 5}, // expired on 2026-03-01
		{LotID: 5, ReceivedAt: t0.Add(-2 * time.Hour), Free: 0},                           // nothing free
	}
	today := *day("2026-03-01")
	for _, c := range []struct {
		name   string
		method resource.CostMethod
		qty    int64
		want   string
		short  int64
	}{
		{"fifo takes oldest receipts", resource.FIFO, 7, "[{1 5 0} {2 2 0}]", 0},
		{"fefo takes earliest expiry", resource.FEFO, 7, "[{2 5 0} {1 2 0}]", 0},
		{"fefo puts lots without expiry last", resource.FEFO, 12, "[{2 5 0} {1 5 0} {3 2 0}]", 0},
		{"short", resource.FIFO, 20, "[{1 5 0} {2 5 0} {3 5 0}]", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, short := resource.Allocate(c.method, cands, c.qty, today)
			if fmt.Sprint(lines) != c.want || short != c.short {
				t.Fatalf("got %v short %d, want %s short %d", lines, short, c.want, c.short)
			}
		})
	}
}

func TestEarliestDate(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	in := []resource.Incoming{{Qty: 4, ExpectedAt: now.Add(72 * time.Hour)}, {Qty: 2, ExpectedAt: now.Add(-time.Hour)}, {Qty: 10, ExpectedAt: now.Add(240 * time.Hour)}}
	for _, c := range []struct {
		name     string
		free     int64
		qty      int64
		want     time.Time
		supplier bool
	}{
		{"in stock", 5, 5, now, false},
		{"overdue incoming counts as now", 3, 5, now, false},
		{"next receipt", 3, 9, now.Add(72 * time.Hour), false},
		{"last receipt", 0, 16, now.Add(240 * time.Hour), false},
		{"supplier lead time", 0, 17, now.AddDate(0, 0, 14), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			at, sup := resource.EarliestDate(now, c.free, c.qty, in, 14)
			if !at.Equal(c.want) || sup != c.supplier {
				t.Fatalf("got %v %v, want %v %v", at, sup, c.want, c.supplier)
			}
		})
	}
}

func TestCheckUpload(t *testing.T) {
	for _, c := range []struct {
		name, ctype string
		content     []byte
		want        string
	}{
		{"text", "", []byte("hello"), "text/plain"},
		{"declared csv", "text/csv", []byte("a,b\n1,2"), "text/csv"},
		{"docx as zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04rest"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"pdf", "application/pdf", []byte("%PDF-1.7 ..."), "application/pdf"},
		{"pdf claiming png", "image/png", []byte("%PDF-1.7 ..."), ""},
	} {
		got, err := resource.CheckUpload(resource.Upload{Filename: "f", Type: c.ctype, Content: c.content}, 0)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("%s: %q %v, want %q", c.name, got, err, c.want)
		}
	}
}
