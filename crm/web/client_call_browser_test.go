package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// ariNode hands the click-to-call service its one ARI client.
type ariNode struct{ c *ari.Client }

func (n ariNode) Get(node string) (*ari.Client, bool) { return n.c, node == n.c.Node() }

// TestBrowserClientPageClickToCall: an agent with a phone presses Call
// beside a client's number; the agent's phone rings on the (simulated)
// PBX and the page says so. A supervisor without a phone gets no button.
func TestBrowserClientPageClickToCall(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	if _, err := mountPages(api, st); err != nil {
		t.Fatal(err)
	}
	pbx := aritest.New(aritest.Options{Speed: 10})
	t.Cleanup(pbx.Close)
	client, err := ari.NewClient(ari.Config{Node: "pbx1", URL: pbx.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	httpapi.RegisterClickToCall(api, httpapi.ClickToCallDeps{Users: st.Users, Clients: st.Clients,
		Calls: telephony.NewClickToCall(telephony.ClickToCallOptions{Originator: telephony.ARIChannels{Nodes: ariNode{client}}, Node: "pbx1"})})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	for _, u := range []crm.User{
		{Login: "anna", Name: "Anna Agent", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}},
		{Login: "sveta", Name: "Sveta Supervisor", Role: crm.RoleSupervisor},
	} {
		if _, err := auth.CreateUser(ctx, st.Users, u, consolePassword); err != nil {
			t.Fatal(err)
		}
	}
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov", Priority: "B",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74957654321", Raw: "8 495 765-43-21"}}}
	if err := st.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("%s/clients/%d", ts.URL, cl.ID)
	signIn := func(ctx context.Context, login string) error {
		return chromedp.Do(ctx,
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("login"), login),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("client-name")),
		)
	}

	tctx, cancel := context.WithTimeout(newChrome(t), 60*time.Second)
	defer cancel()
	must(t, signIn(tctx, "anna"))
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.CSS(`button.call-number[data-call-number="+74957654321"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.call-status`)),
	))
	var status string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		status, _ = chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`.call-status`)))
		if status != "" && status != "Calling…" {
			break
		}
	}
	if !strings.HasPrefix(status, "Your phone is ringing") {
		t.Fatalf("status after Call: %q", status)
	}
	if pbx.ChannelCount() == 0 {
		t.Error("the agent's phone is not ringing on the PBX")
	}

	sctx, cancelS := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	defer cancelS()
	must(t, signIn(sctx, "sveta"))
	n, err := chromedp.Run(sctx, chromedp.Evaluate[int](`document.querySelectorAll("button.call-number").length`))
	if err != nil || n != 0 {
		t.Errorf("supervisor without a phone sees %d Call buttons (%v)", n, err)
	}
}
