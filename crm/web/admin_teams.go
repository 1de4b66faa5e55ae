package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// teamView is a team as admin_teams.html shows it, with its people.
type teamView struct {
	ID         int64
	Name       string
	Lead       *crm.User
	Members    []crm.User
	Candidates []crm.User // enabled users not in the team, for "Add member"
}

// teamForm is the create-team form as posted.
type teamForm struct {
	Name, Lead string
	Field      string
}

type teamsData struct {
	Teams []teamView
	Users []crm.User // enabled users, for the lead
	Form  teamForm
	// AddTeam and AddUser keep the add-member choice that failed.
	AddTeam int64
	AddUser string
	// LeadTeam and LeadUser keep the change of lead that failed.
	LeadTeam int64
	LeadUser string
}

// teamDoneMessages confirm a change after its redirect (?done=).
var teamDoneMessages = map[string]string{
	"created": "web.teams.done.created",
	"added":   "web.teams.done.added",
	"removed": "web.teams.done.removed",
	"lead":    "web.teams.done.lead",
	"deleted": "web.teams.done.deleted",
}

// maxTeamName is the longest team name (as the API allows).
const maxTeamName = 100

func (a *adminPages) listTeams(w http.ResponseWriter, r *http.Request) {
	a.renderTeams(w, r, http.StatusOK, teamsData{}, nil)
}

// renderTeams shows the teams with d's form values and err (a failed
// change) when not nil.
func (a *adminPages) renderTeams(w http.ResponseWriter, r *http.Request, status int, d teamsData, err error) {
	ctx := r.Context()
	users, e := a.deps.Users.ListUsers(ctx)
	if e != nil {
		a.p.errorPage(w, r, e)
		return
	}
	teams, e := a.deps.Teams.ListTeams(ctx)
	if e != nil {
		a.p.errorPage(w, r, e)
		return
	}
	byID := make(map[int64]crm.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
		if !u.Disabled {
			d.Users = append(d.Users, u)
		}
	}
	for _, t := range teams {
		d.Teams = append(d.Teams, teamViewOf(t, byID, d.Users))
	}
	v := view{Active: "/admin/teams", Flash: doneFlash(r, teamDoneMessages)}
	if err != nil {
		v.Error, v.Flash = errorText(loc(r), err), ""
		if d.AddTeam == 0 && d.LeadTeam == 0 {
			d.Form.Field = fieldOf(err)
		}
	}
	v.Data = d
	a.p.render(w, r, status, "admin_teams", "web.nav.teams", v)
}

func teamViewOf(t service.Team, byID map[int64]crm.User, enabled []crm.User) teamView {
	tv := teamView{ID: t.ID, Name: t.Name}
	if t.LeadID != nil {
		if u, ok := byID[*t.LeadID]; ok {
			tv.Lead = &u
		}
	}
	for _, id := range t.Members {
		if u, ok := byID[id]; ok {
			tv.Members = append(tv.Members, u)
		}
	}
	slices.SortFunc(tv.Members, func(x, y crm.User) int { return strings.Compare(x.Login, y.Login) })
	for _, u := range enabled {
		if !slices.Contains(t.Members, u.ID) {
			tv.Candidates = append(tv.Candidates, u)
		}
	}
	return tv
}

// teamError shows a failed team change on the teams page (bad input, a
// conflict, or a member or team that is gone) or, for anything else, the
// error page.
func (a *adminPages) teamError(w http.ResponseWriter, r *http.Request, d teamsData, err error) {
	if !userFacing(err) && !crm.IsKind(err, crm.KindNotFound) {
		a.p.errorPage(w, r, err)
		return
	}
	a.renderTeams(w, r, crm.ErrorStatus(err), d, err)
}

// parseTeam reads the create-team form into a team; the lead is a member.
func parseTeam(f teamForm) (service.Team, error) {
	t := service.Team{Name: strings.TrimSpace(f.Name)}
	switch {
	case t.Name == "":
		return t, crm.Invalid("name", "is required")
	case !crm.ValidText(t.Name):
		return t, crm.Invalid("name", "is not valid text")
	case utf8.RuneCountInString(t.Name) > maxTeamName:
		return t, crm.Invalid("name", "must be at most %d characters", maxTeamName)
	}
	if f.Lead != "" {
		id, err := strconv.ParseInt(f.Lead, 10, 64)
		if err != nil || id <= 0 {
			return t, crm.Invalid("lead_id", "choose a lead from the list")
		}
		t.LeadID, t.Members = &id, []int64{id}
	}
	return t, nil
}

func (a *adminPages) createTeam(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := teamForm{Name: r.PostFormValue("name"), Lead: r.PostFormValue("lead")}
	t, err := parseTeam(f)
	if err == nil {
		err = a.deps.Teams.CreateTeam(r.Context(), &t)
	}
	if err != nil {
		a.teamError(w, r, teamsData{Form: f}, err)
		return
	}
	http.Redirect(w, r, "/admin/teams?done=created#team-"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

// pathID is the team or plan the path names (0 when it is not a number).
func pathID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id
}

func (a *adminPages) addMember(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, user := pathID(r), r.PostFormValue("user_id")
	userID, err := strconv.ParseInt(user, 10, 64)
	if err != nil || userID <= 0 {
		err = crm.Invalid("user_id", "choose a user from the list")
	} else {
		err = a.deps.Teams.AddTeamMember(r.Context(), id, userID)
	}
	if err != nil {
		a.teamError(w, r, teamsData{AddTeam: id, AddUser: user}, err)
		return
	}
	http.Redirect(w, r, "/admin/teams?done=added#team-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (a *adminPages) removeMember(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id := pathID(r)
	userID, _ := strconv.ParseInt(chi.URLParam(r, "user"), 10, 64)
	if err := a.deps.Teams.RemoveTeamMember(r.Context(), id, userID); err != nil {
		a.teamError(w, r, teamsData{}, err)
		return
	}
	http.Redirect(w, r, "/admin/teams?done=removed#team-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// confirmDeleteTeam is the confirm step before deleting a team.
func (a *adminPages) confirmDeleteTeam(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	teams, err := a.deps.Teams.ListTeams(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	id := pathID(r)
	i := slices.IndexFunc(teams, func(t service.Team) bool { return t.ID == id })
	if i < 0 {
		a.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no team %d", id))
		return
	}
	a.p.render(w, r, http.StatusOK, "admin_team_delete", "",
		view{Title: loc(r).T("web.teams.delete_q", map[string]any{"Name": teams[i].Name}), Active: "/admin/teams", Data: teams[i]})
}

func (a *adminPages) deleteTeam(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	if err := a.deps.Teams.DeleteTeam(r.Context(), pathID(r)); err != nil {
		a.teamError(w, r, teamsData{}, err)
		return
	}
	http.Redirect(w, r, "/admin/teams?done=deleted", http.StatusSeeOther)
}

// setLead changes a team's lead (empty: none); the new lead joins the
// members, as on creation.
func (a *adminPages) setLead(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, lead := pathID(r), r.PostFormValue("lead")
	var leadID int64
	var err error
	if lead != "" {
		if leadID, err = strconv.ParseInt(lead, 10, 64); err != nil || leadID <= 0 {
			err = crm.Invalid("lead_id", "choose a lead from the list")
		}
	}
	if err == nil {
		_, err = a.deps.Teams.UpdateTeam(r.Context(), id, service.TeamUpdate{LeadID: &leadID})
	}
	if err != nil {
		a.teamError(w, r, teamsData{LeadTeam: id, LeadUser: lead}, err)
		return
	}
	http.Redirect(w, r, "/admin/teams?done=lead#team-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
