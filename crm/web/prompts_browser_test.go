package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPromptsPage: an admin synthesizes a status-line phrase, plays
// it in the page's <audio> element (the browser fetches and decodes the
// WAV) and uploads an MP3 for it through the page's form.
func TestBrowserPromptsPage(t *testing.T) {
	t.Parallel()
	s := newPromptSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	mp3, err := filepath.Abs("../../telephony/voice/testdata/greeting.mp3")
	if err != nil {
		t.Fatal(err)
	}
	row := "#prompt-status-ru-greeting"
	err = chromedp.Do(tctx,
		chromedp.Navigate(s.ts.URL+"/admin/prompts"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("prompts-status-line")),
		chromedp.Click(chromedp.CSS(row+` form[action="/admin/prompts/synthesize"] button`)),
	)
	if err == nil {
		err = waitVisibleAfterSubmit(tctx, row+" audio")
	}
	if err != nil {
		t.Fatalf("synthesize: %v", err)
	}
	flash, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`[role="status"]`)))
	if err != nil || flash != "Звук синтезирован заново." {
		t.Fatalf("flash %q: %v", flash, err)
	}
	duration, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`new Promise(ok => {
		const a = document.querySelector("`+row+` audio");
		a.addEventListener("loadedmetadata", () => ok(a.duration));
		a.addEventListener("error", () => ok(-1));
		a.load();
	})`, chromedp.EvalAwaitPromise))
	if err != nil || duration < 0.5 {
		t.Fatalf("the browser plays %.2f s of the prompt: %v", duration, err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.querySelector('[role="status"]').remove(); true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(tctx,
		chromedp.SetUploadFiles(chromedp.CSS(row+` input[type="file"]`), []string{mp3}),
		chromedp.Click(chromedp.CSS(row+` form.prompt-upload button`)),
	)
	if err == nil {
		err = waitVisibleAfterSubmit(tctx, `[role="status"]`)
	}
	if err == nil {
		err = chromedp.Do(tctx, chromedp.ScrollIntoView(chromedp.CSS(row)))
	}
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	source, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(row+" .small.muted")))
	if err != nil || !strings.HasPrefix(source, "запись · 2,") {
		t.Fatalf("after the upload the row says %q: %v", source, err)
	}
	if dir := os.Getenv("HOTLINE_SCREENSHOTS"); dir != "" {
		if shot, err := chromedp.Run(tctx, chromedp.CaptureScreenshot()); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "prompts.png"), shot, 0o644)
		}
	}
}
