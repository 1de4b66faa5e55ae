package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/telephony/screenpop"
)

// TestBrowserConsoleClickToCallFailure: the agent's click-to-call rings the
// agent's phone, the agent answers, the PBX hangs up without dialling; the
// console card says so, with the reason, where the agent looks.
func TestBrowserConsoleClickToCallFailure(t *testing.T) {
	t.Parallel()
	var asked []string
	s := newConsoleSite(t, func(o *screenpop.Options) {
		o.FailureText = func(_ context.Context, agent, failure, number string) string {
			asked = append(asked, agent+" "+failure+" "+number)
			return "Звонок на " + number + " не состоялся: " + failure
		}
	})
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := signInToConsole(tctx, s.ts.URL, "anna"); err != nil {
		t.Fatalf("anna signs in: %v", err)
	}
	pbx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const id = "1764000100.1"
	must(s.popper.Ringing(pbx, screenpop.Ringing{CallID: id, Endpoint: "PJSIP/1001", Caller: "+74957654321", ClickToCall: true}))
	must(s.popper.Answered(pbx, screenpop.Answered{CallID: id, Endpoint: "PJSIP/1001"}))
	must(s.popper.Ended(pbx, screenpop.Ended{CallID: id, Failure: "no_route", Number: "+74957654321"}))
	card := `.popcard[data-call-id="` + id + `"]`
	must(chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(card+` .pop-failure`))))
	text, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(card+" .pop-failure")))
	if err != nil || !strings.Contains(text, "не состоялся: no_route") || !strings.Contains(text, "+74957654321") {
		t.Errorf("failure on the card %q: %v", text, err)
	}
	if len(asked) != 1 || asked[0] != "anna no_route +74957654321" {
		t.Errorf("texts asked for %q, want one for anna", asked)
	}
	role, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector('`+card+` .pop-failure').getAttribute("role")`))
	if role != "alert" {
		t.Errorf("the failure is not announced (role %q)", role)
	}
}
