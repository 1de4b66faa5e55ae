package web

import (
	"net/http"
	"regexp"

	"hotline/crm"
)

// consoleData is what the console template gets.
type consoleData struct {
	Agent      string // whose pops the page shows
	ReadOnly   bool   // a supervisor watching an agent
	SocketPath string
	Agents     []crm.User // for supervisors: whom they may watch
	CallLog    bool       // the call log is mounted: link to it
}

var agentLoginRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// MountConsole adds the agent console page (/console) and its nav link. The
// page shows the signed-in agent's live pops over the console socket;
// supervisors and admins may open /console?agent=login to watch an agent's
// console read-only.
func (p *Pages) MountConsole() {
	p.AddNav(NavItem{Label: "web.nav.console", Path: "/console"})
	p.api.Router().With(p.requireUser).Get("/console", p.consolePage)
}

func (p *Pages) consolePage(w http.ResponseWriter, r *http.Request) {
	pr := crm.UserFromContext(r.Context())
	d := consoleData{Agent: pr.Login, SocketPath: consoleSocketPath, CallLog: p.hasCalls()}
	watching := r.URL.Query().Get("agent")
	supervisor := pr.Role == crm.RoleSupervisor || pr.Role == crm.RoleAdmin
	if watching != "" && watching != pr.Login {
		if !supervisor {
			p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "agents see only their own console"))
			return
		}
		if !agentLoginRe.MatchString(watching) {
			p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such agent"))
			return
		}
		d.Agent, d.ReadOnly = watching, true
	}
	if supervisor {
		users, err := p.users.ListUsers(r.Context())
		if err != nil {
			p.errorPage(w, r, err)
			return
		}
		for _, u := range users {
			if u.Role == crm.RoleAgent && !u.Disabled {
				d.Agents = append(d.Agents, u)
			}
		}
	}
	p.render(w, r, http.StatusOK, "console", "web.nav.console", view{Active: "/console", Data: d})
}
