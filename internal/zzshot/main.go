package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base, login, pass := os.Args[1], os.Args[2], os.Args[3]
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("lang", "ru-RU"), chromedp.WindowSize(1280, 900))
	actx, c1 := chromedp.NewExecAllocator(context.Background(), opts...)
	defer c1()
	ctx, c2 := chromedp.NewContext(actx)
	defer c2()
	ctx, c3 := context.WithTimeout(ctx, 120*time.Second)
	defer c3()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), login), chromedp.SendKeys(chromedp.ID("password"), pass),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.Sleep(time.Second)); err != nil {
		panic(err)
	}
	for i, path := range os.Args[4:] {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.Sleep(1500*time.Millisecond)); err != nil {
			fmt.Println(path, err)
			continue
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			fmt.Println(path, err)
			continue
		}
		name := fmt.Sprintf("/tmp/shot-%s-%d.png", login, i)
		os.WriteFile(name, buf, 0o644)
		fmt.Println(name, path)
	}
}
