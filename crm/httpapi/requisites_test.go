package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"hotline/crm"
)

// TestClientRequisitesAPI: a company is created with its requisites, a
// wrong INN check digit is refused with the field named and changes
// nothing, and an update without requisites keeps them.
func TestClientRequisitesAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := e.login(crm.RoleAgent)
	legal := map[string]string{"inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
		"legal_address": "117312, г. Москва, ул. Вавилова, д. 19", "bik": "044525225",
		"account": "4070 2810 4380 0006 0473", "corr_account": "30101810400000000225"}
	resp, body := agent.do("POST", "/api/v1/clients", map[string]any{"kind": "company", "name": "ООО «Ромашка»", "requisites": legal})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var c struct {
		ID    int64          `json:"id"`
		Legal crm.Requisites `json:"requisites"`
	}
	mustJSON(t, body, &c)
	if c.Legal.INN != "7707083893" || c.Legal.Account != "40702810438000060473" {
		t.Fatalf("created %s", body)
	}
	legal["inn"] = "7707083894"
	resp, body = agent.do("PUT", fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"name": "ООО «Ромашка»", "requisites": legal})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = agent.do("PUT", fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"name": "ООО «Ромашка» (Москва)"})
	mustJSON(t, body, &c)
	if resp.StatusCode != http.StatusOK || c.Legal.INN != "7707083893" || c.Legal.CorrAccount != "30101810400000000225" {
		t.Fatalf("update without requisites: %d %s", resp.StatusCode, body)
	}
}
