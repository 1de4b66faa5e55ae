package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// TestEveryNumberIsBounded walks every operation of the wired service:
// each integer or number it takes, in the path, the query, headers or
// anywhere in the body, has a minimum and a maximum, so that no request
// carries a value that overflows a sum or a column.
func TestEveryNumberIsBounded(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	oapi := api.API().OpenAPI()
	reg := oapi.Components.Schemas
	numbers := 0
	var walk func(where string, s *huma.Schema, seen map[*huma.Schema]bool)
	walk = func(where string, s *huma.Schema, seen map[*huma.Schema]bool) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.Ref != "" {
			walk(where, reg.SchemaFromRef(s.Ref), seen)
			return
		}
		if s.Type == huma.TypeInteger || s.Type == huma.TypeNumber {
			numbers++
			if (s.Minimum == nil && s.ExclusiveMinimum == nil) || (s.Maximum == nil && s.ExclusiveMaximum == nil) {
				t.Errorf("%s: a number without bounds", where)
			} else if s.Maximum != nil && *s.Maximum > 1<<53 {
				t.Errorf("%s: maximum %g is beyond what JSON keeps exactly", where, *s.Maximum)
			}
			return
		}
		for name, p := range s.Properties {
			walk(where+"."+name, p, seen)
		}
		walk(where+"[]", s.Items, seen)
	}
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			for _, p := range op.Parameters {
				walk(op.OperationID+" "+p.In+"."+p.Name, p.Schema, map[*huma.Schema]bool{})
			}
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Content {
					walk(op.OperationID+" body("+ct+")", mt.Schema, map[*huma.Schema]bool{})
				}
			}
		}
	}
	if numbers < 50 {
		t.Fatalf("only %d numbers found: the walk lost its way", numbers)
	}
}
