package cli

import (
	"bufio"
	"bytes"
	"context"
	"github.com/plexkit/plexkit/internal/testutil"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plexkit/plexkit/emulator"
)

// TestLoginApprovedInRealBrowser runs `plexkit login --link` and, while it waits, has Chromium
// do what a person does: open the emulator's /link page, sign in as alice, type the code from
// plexkit's stderr and approve. plexkit must then finish with a valid token for alice.
func TestLoginApprovedInRealBrowser(t *testing.T) {
	t.Parallel()
	bin := testutil.Chromium(t)
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	var alice emulator.UserInfo
	for _, u := range e.Users() {
		if u.Username == "alice" {
			alice = u
		}
	}

	// plexkit login, with stderr read as it is written.
	errR, errW := io.Pipe()
	var stdout bytes.Buffer
	streams := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: errW}
	exit := make(chan int, 1)
	go func() {
		code := Run([]string{"login", "--link", "--timeout", "60s"}, streams, func(k string) string { return env[k] })
		errW.Close()
		exit <- code
	}()
	var stderr strings.Builder
	lines := bufio.NewScanner(errR)
	code := ""
	for code == "" && lines.Scan() {
		stderr.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "and enter the code:") {
			for code == "" && lines.Scan() {
				stderr.WriteString(lines.Text() + "\n")
				code = strings.TrimSpace(lines.Text())
			}
		}
	}
	drained := make(chan struct{})
	go func() { _, _ = io.Copy(&stderr, errR); close(drained) }()
	if len(code) != 4 {
		t.Fatalf("no 4-character code on stderr (got %q):\n%s", code, stderr.String())
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	defer cancelTimeout()
	id := func(s string) chromedp.ID { return chromedp.ID(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL()+"/link"),
		chromedp.WaitVisible(id("username")),
		chromedp.SendKeys(id("username"), alice.Username),
		chromedp.SendKeys(id("password"), alice.Password),
		chromedp.Click(id("signin")),
		chromedp.WaitVisible(id("code")),
		chromedp.SendKeys(id("code"), code),
		chromedp.Click(id("approve")),
		chromedp.WaitVisible(id("linked")),
	)
	if err != nil {
		t.Fatalf("browser: %v\nplexkit's stderr so far:\n%s", err, stderr.String())
	}

	select {
	case c := <-exit:
		<-drained
		if c != 0 {
			t.Fatalf("plexkit login exited %d\nstdout: %s\nstderr: %s", c, stdout.String(), stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("plexkit login still waits 20 s after the browser approved the code")
	}
	if !strings.Contains(stdout.String(), "Logged in as alice") {
		t.Errorf("stdout %q", stdout.String())
	}
	if got := accountOf(t, e, env[EnvConfigDir], savedToken(t, env[EnvConfigDir]).Value); got != "alice" {
		t.Errorf("the saved token belongs to %q, want alice", got)
	}
}
