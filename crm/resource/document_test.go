package resource_test

import (
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/resource"
)

// TestAccess states the library's rule: admins and owners do anything; a
// grant to the reader's role, one of their teams (by ID) or them opens the
// document, for writing when it says so.
func TestAccess(t *testing.T) {
	agentInTeams := resource.Reader{UserID: 7, Role: crm.RoleAgent, Teams: []int64{3, 12}}
	for _, c := range []struct {
		name        string
		r           resource.Reader
		grants      []resource.Grant
		read, write bool
	}{
		{"admin", resource.Reader{UserID: 1, Role: crm.RoleAdmin}, nil, true, true},
		{"owner", resource.Reader{UserID: 42, Role: crm.RoleAgent}, nil, true, true},
		{"no grant", agentInTeams, nil, false, false},
		{"role read", agentInTeams, []resource.Grant{{Kind: resource.GrantRole, Who: "agent"}}, true, false},
		{"other role", agentInTeams, []resource.Grant{{Kind: resource.GrantRole, Who: "supervisor", Write: true}}, false, false},
		{"team write", agentInTeams, []resource.Grant{{Kind: resource.GrantTeam, Who: "12", Write: true}}, true, true},
		{"team read", agentInTeams, []resource.Grant{{Kind: resource.GrantTeam, Who: "3"}}, true, false},
		{"other team", agentInTeams, []resource.Grant{{Kind: resource.GrantTeam, Who: "1", Write: true}}, false, false},
		{"user read", agentInTeams, []resource.Grant{{Kind: resource.GrantUser, Who: "7"}}, true, false},
		{"user write", agentInTeams, []resource.Grant{{Kind: resource.GrantUser, Who: "7", Write: true}}, true, true},
		{"grants add up", agentInTeams, []resource.Grant{{Kind: resource.GrantRole, Who: "agent"}, {Kind: resource.GrantTeam, Who: "3", Write: true}}, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			read, write := resource.Access(c.r, 42, c.grants)
			if read != c.read || write != c.write {
				t.Fatalf("read %v write %v, want %v %v", read, write, c.read, c.write)
			}
		})
	}
}

func TestValidateGrantsTeams(t *testing.T) {
	for who, ok := range map[string]bool{"12": true, "Key accounts": true, "": false, "  ": false,
		strings.Repeat("x", 101): false} {
		err := resource.ValidateGrants([]resource.Grant{{Kind: resource.GrantTeam, Who: who}})
		if (err == nil) != ok {
			t.Errorf("team %q: %v, want ok %v", who, err, ok)
		}
	}
}
