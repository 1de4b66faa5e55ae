package main

import (
	"flag"
	"testing"
	"time"
)

func TestWrapUpSetting(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Duration
	}{{"", time.Minute}, {"90", 90 * time.Second}, {"3600", time.Hour}} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		load := configFlags(fs, func(k string) string {
			return map[string]string{"HOTLINE_WRAPUP_SECONDS": tc.env}[k]
		})
		if err := fs.Parse(nil); err != nil {
			t.Fatal(err)
		}
		c, err := load()
		if err != nil || c.WrapUp != tc.want {
			t.Errorf("HOTLINE_WRAPUP_SECONDS=%q: %v %v, want %v", tc.env, c.WrapUp, err, tc.want)
		}
	}
}
