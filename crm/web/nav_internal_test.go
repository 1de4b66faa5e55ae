package web

import (
	"strings"
	"testing"

	"hotline/crm"
)

// TestNavGroups: grouped links sit under their group's menu, in the place
// of the group's first link; links a role may not see are left out, and a
// group with none left is not shown.
func TestNavGroups(t *testing.T) {
	p := &Pages{nav: []NavItem{
		{Label: "Clients", Path: "/clients"},
		{Label: "Service report", Path: "/reports/service", Roles: []crm.Role{crm.RoleSupervisor}, Group: "Reports"},
		{Label: "Stock", Path: "/stock"},
		{Label: "Projects", Path: "/projects", Group: "Resources"},
		{Label: "Money", Path: "/reports/money", Roles: []crm.Role{crm.RoleSupervisor}, Group: "Reports"},
		{Label: "Documents", Path: "/documents", Group: "Resources"},
	}}
	render := func(es []navEntry) string {
		var b strings.Builder
		for _, e := range es {
			b.WriteString(e.Label)
			if e.Active {
				b.WriteString("*")
			}
			if e.Items != nil {
				b.WriteString("[")
				for _, it := range e.Items {
					b.WriteString(it.Label + ";")
				}
				b.WriteString("]")
			}
			b.WriteString(" ")
		}
		return strings.TrimSpace(b.String())
	}
	for _, c := range []struct {
		role   crm.Role
		active string
		want   string
	}{
		{crm.RoleSupervisor, "/reports/money", "Clients Reports*[Service report;Money;] Stock Resources[Projects;Documents;]"},
		{crm.RoleAgent, "/documents", "Clients Stock Resources*[Projects;Documents;]"},
		{crm.RoleAgent, "/stock", "Clients Stock* Resources[Projects;Documents;]"},
	} {
		if got := render(p.navFor(c.role, c.active)); got != c.want {
			t.Errorf("%s on %s: %q, want %q", c.role, c.active, got, c.want)
		}
	}
}
