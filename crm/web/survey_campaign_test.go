package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"hotline/crm"
)

// TestCampaignNumbersFromAFile: a campaign's numbers come from an uploaded
// CSV (semicolons, a header row) or XLSX file; each number finds its CRM
// client; an unreadable file is refused on the form.
func TestCampaignNumbersFromAFile(t *testing.T) {
	s := newSurveySite(t)
	ctx := context.Background()
	ivan := crm.Client{Name: "Ivan", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951112233"}}}
	if err := s.store.Clients.CreateClient(ctx, &ivan); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	csrf := b.login("admin")
	post := func(name, name2 string, data []byte) (*http.Response, string) {
		return b.post("/surveys/campaigns", url.Values{"csrf_token": {csrf}, "name": {name}, "survey_id": {"1"}, "source": {"file"},
			"file_name": {name2}, "file_data": {base64.StdEncoding.EncodeToString(data)}})
	}
	resp, _ := post("From CSV", "numbers.csv", []byte("\ufeffName;Phone\nIvan;8 495 111-22-33\nMaria;+7 495 111 22 44\n"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("CSV campaign: %d", resp.StatusCode)
	}
	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"Телефон"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{"+74951112255"})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if resp, _ := post("From XLSX", "numbers.xlsx", buf.Bytes()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("XLSX campaign: %d", resp.StatusCode)
	}
	resp, body := post("Broken", "numbers.xlsx", []byte("not a workbook"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "numbers.xlsx") {
		t.Errorf("broken file: %d", resp.StatusCode)
	}
	list, _ := s.store.Campaigns.ListCampaigns(ctx)
	if len(list) != 2 {
		t.Fatalf("campaigns = %d, want 2", len(list))
	}
	byName := map[string]int64{}
	for _, c := range list {
		byName[c.Name] = c.ID
	}
	csvContacts, _ := s.store.Campaigns.ListCampaignContacts(ctx, byName["From CSV"])
	if len(csvContacts) != 2 || csvContacts[0].Phone != "+74951112233" || csvContacts[0].ClientID == nil || *csvContacts[0].ClientID != ivan.ID {
		t.Errorf("CSV contacts = %+v", csvContacts)
	}
	xlsxContacts, _ := s.store.Campaigns.ListCampaignContacts(ctx, byName["From XLSX"])
	if len(xlsxContacts) != 1 || xlsxContacts[0].Phone != "+74951112255" {
		t.Errorf("XLSX contacts = %+v", xlsxContacts)
	}
}

// TestSurveyOptOutList: a client added to the refusals is listed and left
// out of campaign audiences; taken off, they are called again.
func TestSurveyOptOutList(t *testing.T) {
	s := newSurveySite(t)
	ctx := context.Background()
	c := crm.Client{Name: "Olga Refuser", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951112233"}}}
	if err := s.store.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	csrf := b.login("admin")
	if resp, _ := b.post("/surveys/opt-outs", url.Values{"csrf_token": {csrf}, "client_id": {itoa(c.ID)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("opt out: %d", resp.StatusCode)
	}
	if _, body := b.get("/surveys"); !strings.Contains(body, "Olga Refuser") {
		t.Error("the refusal is not listed")
	}
	resp, body := b.post("/surveys/campaigns", url.Values{"csrf_token": {csrf}, "name": {"All"}, "survey_id": {"1"}, "source": {"crm"}, "op": {"preview"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="audience-count"`) || strings.Contains(body, "Olga Refuser") {
		t.Errorf("preview: %d", resp.StatusCode)
	}
	b.post("/surveys/opt-outs", url.Values{"csrf_token": {csrf}, "client_id": {itoa(c.ID)}, "remove": {"1"}})
	if outs, _ := s.store.Campaigns.SurveyOptOuts(ctx); len(outs) != 0 {
		t.Errorf("opt-outs after removal = %+v", outs)
	}
}
