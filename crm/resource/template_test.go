package resource_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

func TestCheckTemplate(t *testing.T) {
	good := map[string]string{
		"field":          "Dear {{.Client.Name}}, {{.Today}}",
		"range contacts": "{{range .Client.Contacts}}{{.Value}} {{end}}",
		"range vars":     "{{range $i, $c := .Client.Contacts}}{{$i}}: {{$c.Value}}{{end}}",
		"with":           "{{with .Client}}{{range .Tags}}{{.}}{{end}}{{end}}",
		"nested two":     "{{range .Client.Contacts}}{{range $.Client.Tags}}{{.}}{{end}}{{end}}",
		"if else":        "{{if .Client.Company}}{{.Client.Company}}{{else}}-{{end}}",
		"range else":     "{{range .Client.Tags}}{{.}}{{else}}no tags{{end}}",
		"plain text":     "no actions at all",
		"html":           "<p>{{.Client.Name | printf \"%s\"}}</p>",
	}
	for name, tmpl := range good {
		if err := resource.CheckTemplate([]byte(tmpl)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]string{
		"range literal":        "{{range 60000000}}{{end}}",
		"range small literal":  "{{range 3}}x{{end}}",
		"range int field":      "{{range .Client.ID}}{{end}}",
		"range int method":     "{{range .Client.CreatedAt.Year}}{{end}}",
		"range function":       "{{range len .Client.Tags}}{{end}}",
		"range parenthesised":  "{{range (len .Client.Tags)}}{{end}}",
		"range variable":       "{{$n := 100000000}}{{range $n}}{{end}}",
		"range declared lit":   "{{range $i := 100000000}}{{end}}",
		"range string":         "{{range .Client.Name}}{{end}}",
		"nested three":         "{{range .Client.Contacts}}{{range $.Client.Contacts}}{{range $.Client.Contacts}}{{end}}{{end}}{{end}}",
		"define":               `{{define "a"}}x{{end}}`,
		"recursion":            `{{define "a"}}{{template "a" .}}{{template "a" .}}{{end}}{{template "a" .}}`,
		"template":             `{{template "x"}}`,
		"block":                `{{block "b" .}}x{{end}}`,
		"parse error":          "{{.Client.Name",
		"range in with on int": "{{with .Client.ID}}{{range .}}{{end}}{{end}}",
	}
	for name, tmpl := range bad {
		err := resource.CheckTemplate([]byte(tmpl))
		var ce *crm.Error
		if !crm.IsKind(err, crm.KindInvalid) || !asCRMError(err, &ce) || ce.Field != "content" {
			t.Errorf("%s: %v, want invalid content", name, err)
		}
	}
}

// TestFillTemplateBudget: a fill stops at the output cap, and when its
// context ends, even inside loops a check lets through.
func TestFillTemplateBudget(t *testing.T) {
	ctx := context.Background()
	many := resource.TemplateData{}
	for range 4000 {
		many.Client.Contacts = append(many.Client.Contacts, crm.Contact{Kind: crm.ContactPhone, Value: "+79165551234"})
	}
	loops := []byte("{{range .Client.Contacts}}{{range $.Client.Contacts}}{{.Value}}{{end}}{{end}}")
	if _, err := resource.FillTemplate(ctx, "text/plain", loops, many, 1<<20); !crm.IsKind(err, crm.KindInvalid) || !strings.Contains(err.Error(), "output over") {
		t.Fatalf("output cap: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := resource.FillTemplate(cctx, "text/plain", loops, many, 1<<40)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("a fill whose request ended: %v after %s", err, time.Since(start))
	}
	if _, err := resource.FillTemplate(ctx, "text/plain", []byte("{{range 60000000}}{{end}}"), many, 1<<20); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("a stored unbounded template was run: %v", err)
	}
	out, err := resource.FillTemplate(ctx, "text/html", []byte("<p>{{.Client.Name}}</p>"), resource.TemplateData{Client: crm.Client{Name: "<b>"}}, 1<<20)
	if err != nil || string(out) != "<p>&lt;b&gt;</p>" {
		t.Fatalf("html fill: %q %v", out, err)
	}
}

func asCRMError(err error, target **crm.Error) bool {
	ce, ok := err.(*crm.Error)
	if ok {
		*target = ce
	}
	return ok
}
