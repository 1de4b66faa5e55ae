package httpapi

import (
	"net/http"
	"regexp"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// Number bounds at the edge. Every integer and number an operation takes
// (path, query, header and body, however deep) gets a minimum and maximum
// when its declaration gave none, chosen by its name, so that a value such
// as 9223372036854775807 is a 422 naming the field instead of an overflow
// in a sum, a negative availability or a 500 from an int4 column.
var (
	moneyName   = regexp.MustCompile(`(?i)(amount|price|cost|revenue|budget|total|sum)`)
	qtyName     = regexp.MustCompile(`(?i)(^|_)(qty|quantity)($|_)`)
	idName      = regexp.MustCompile(`(?i)(^id$|_id$|Id$|^ids$|_ids$)`)
	versionName = regexp.MustCompile(`(?i)version`)
	limitName   = regexp.MustCompile(`(?i)^(limit|page_size|per_page)$`)
)

// maxID is the largest id accepted: the largest integer a JSON number keeps
// exactly (2^53-1), far beyond any bigint identity the database will hand out.
const maxID = 1<<53 - 1

// numberBounds is the [min, max] for a field name of the given JSON type.
func numberBounds(name, typ string) (float64, float64) {
	switch {
	case moneyName.MatchString(name) && typ == huma.TypeInteger:
		return -crm.MaxMoney, crm.MaxMoney // minor units
	case moneyName.MatchString(name):
		return -crm.MaxMoney / 100, crm.MaxMoney / 100 // major units
	case qtyName.MatchString(name):
		return -crm.MaxQty, crm.MaxQty
	case idName.MatchString(name):
		return -maxID, maxID
	case versionName.MatchString(name):
		return 0, 1_000_000
	case limitName.MatchString(name):
		return 0, 1000
	}
	return -crm.MaxCount, crm.MaxCount
}

// boundOperation gives the numbers of a registered operation their bounds.
func boundOperation(api huma.API, method, path string) {
	item := api.OpenAPI().Paths[path]
	if item == nil {
		return
	}
	var op *huma.Operation
	switch method {
	case http.MethodGet:
		op = item.Get
	case http.MethodPost:
		op = item.Post
	case http.MethodPut:
		op = item.Put
	case http.MethodPatch:
		op = item.Patch
	case http.MethodDelete:
		op = item.Delete
	}
	if op == nil {
		return
	}
	reg := api.OpenAPI().Components.Schemas
	seen := map[*huma.Schema]bool{}
	for _, p := range op.Parameters {
		boundSchema(reg, p.Name, p.Schema, seen)
	}
	if op.RequestBody != nil {
		for _, mt := range op.RequestBody.Content {
			boundSchema(reg, "", mt.Schema, seen)
		}
	}
}

// boundSchema sets missing bounds on s and everything it contains.
func boundSchema(reg huma.Registry, name string, s *huma.Schema, seen map[*huma.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if s.Ref != "" {
		boundSchema(reg, name, reg.SchemaFromRef(s.Ref), seen)
		return
	}
	if s.Type == huma.TypeInteger || s.Type == huma.TypeNumber {
		lo, hi := numberBounds(name, s.Type)
		if s.Minimum == nil && s.ExclusiveMinimum == nil {
			s.Minimum = &lo
		}
		if s.Maximum == nil && s.ExclusiveMaximum == nil {
			s.Maximum = &hi
		}
		s.PrecomputeMessages()
		return
	}
	for prop, ps := range s.Properties {
		boundSchema(reg, prop, ps, seen)
	}
	boundSchema(reg, name, s.Items, seen)
	for _, sub := range append(append(append([]*huma.Schema{}, s.OneOf...), s.AnyOf...), s.AllOf...) {
		boundSchema(reg, name, sub, seen)
	}
	if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
		boundSchema(reg, name, ap, seen)
	}
}
