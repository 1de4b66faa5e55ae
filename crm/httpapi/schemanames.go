package httpapi

import (
	"path"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// schemaNamer names OpenAPI schemas like huma's default, but prefixes types
// of domain packages other than crm with their package name, so that e.g.
// screenpop.Product and resource.Product become ScreenpopProduct and
// ResourceProduct instead of clashing.
func schemaNamer(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" || t.PkgPath() == "" {
		return name
	}
	pkg := path.Base(t.PkgPath())
	switch pkg {
	case "httpapi", "crm":
		return name
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + name
}
