package telephony

import (
	"context"
	"errors"
	"slices"
	"testing"

	"hotline/telephony/ari"
)

func TestEndpointRosterRefresh(t *testing.T) {
	m := map[string]string{"PJSIP/1001": "alice"}
	fail := false
	r := NewEndpointRoster(func(context.Context) (map[string]string, error) {
		if fail {
			return nil, errors.New("database down")
		}
		return m, nil
	})
	if _, ok := r.AgentByEndpoint("PJSIP/1001"); ok {
		t.Fatal("empty roster knows an agent before the first refresh")
	}
	if err := r.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l, ok := r.AgentByEndpoint("PJSIP/1001"); !ok || l != "alice" {
		t.Fatalf("got %q %v", l, ok)
	}
	fail = true
	if err := r.Refresh(context.Background()); err == nil {
		t.Fatal("want the load error")
	}
	if _, ok := r.AgentByEndpoint("PJSIP/1001"); !ok {
		t.Fatal("a failed refresh must keep the old roster")
	}
}

func TestEventTypesAreTheHandledOnes(t *testing.T) {
	types := EventTypes()
	for _, must := range []string{ari.TypeChannelCreated, ari.TypeDial, ari.TypeChannelDestroyed, ari.TypeBridgeAttendedTransfer} {
		if !slices.Contains(types, must) {
			t.Errorf("EventTypes lacks %s", must)
		}
	}
	if slices.Contains(types, ari.TypeChannelVarset) || slices.Contains(types, ari.TypeChannelDialplan) {
		t.Error("EventTypes must not ask for ChannelVarset or ChannelDialplan")
	}
}
