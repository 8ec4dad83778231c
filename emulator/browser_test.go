package emulator_test

import (
	"context"
	"github.com/plexkit/plexkit/internal/testutil"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plexkit/plexkit/emulator"
)

// TestAuthPageInBrowser approves a strong pin the way a person does: the app opens
// /auth#?clientID=…&code=…, the person signs in and clicks Approve. Only a real browser runs
// the page's script, which carries the fragment (never sent to the server) into the forms.
func TestAuthPageInBrowser(t *testing.T) {
	t.Parallel()
	bin := testutil.Chromium(t)
	e := start(t, emulator.Options{})
	d := newDevice(t)
	p := pinWithJWK(t, e, d, true)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	defer cancelTimeout()

	authURL := e.URL() + "/auth#?clientID=" + url.QueryEscape(d.cid) + "&code=" + p.Code +
		"&context%5Bdevice%5D%5Bproduct%5D=" + url.QueryEscape("plexkit test")
	id := func(s string) chromedp.ID { return chromedp.ID(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(id("username")),
		chromedp.SendKeys(id("username"), "alice"),
		chromedp.SendKeys(id("password"), emulator.AlicePassword),
		chromedp.Click(id("signin")),
		chromedp.WaitVisible(id("approve")),
	)
	if err != nil {
		t.Fatalf("browser: sign-in: %v", err)
	}
	product, err := chromedp.Run(ctx, chromedp.Text(id("product")))
	if err != nil {
		t.Fatal(err)
	}
	code, err := chromedp.Run(ctx, chromedp.Value(id("code")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(id("approve")), chromedp.WaitVisible(id("linked"))); err != nil {
		t.Fatalf("browser: approve: %v", err)
	}
	if product != "plexkit test" || code != p.Code {
		t.Errorf("fragment not carried over sign-in: product %q code %q", product, code)
	}
	got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, d.deviceJWT(t, e.Now(), "")), http.StatusOK)
	if got.AuthToken == nil || verifyPlexJWT(t, e, *got.AuthToken).User["username"] != "alice" {
		t.Fatalf("pin not approved by alice: %+v", got)
	}
}
