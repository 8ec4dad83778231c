package cli_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/internal/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/script with the actual output")

// TestMain makes this test binary also the plexkit command: testscript runs it under that name
// in a subprocess, so the acceptance scripts drive the real entry point (cli.Main) with real
// arguments, environment, streams and exit codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"plexkit": func() { os.Exit(cli.Main()) },
	})
}

// TestAcceptance runs testdata/script/*.txtar, one script per command: its happy path and its
// main failure, against an emulator started in this process for each script. Golden files are
// the txtar sections compared with cmp; run with -update to rewrite them.
//
// Each script's environment:
//
//	PLEXTV, PLEXKIT_PLEXTV_URL   the emulator's plex.tv URL
//	PLEXTV_ADDR                  its host:port
//	PLEXKIT_CONFIG_DIR           $WORK/config
//	ALICE_LEGACY … DAVE_LEGACY   each seeded account's legacy token (plexkit login --legacy-token)
//	NAS_URL, NAS_ID              alice-nas's live URL and machine identifier
//	VAULT_URL, VAULT_ID          the same for alice-vault
//	FREE_ADDR                    a loopback address with no listener (for plexkit emulator --listen)
//
// and its commands besides testscript's own (they drive the emulator's control API, as any
// program testing against `plexkit emulator` would):
//
//	claim CODE USER          approve the PIN with this code as USER (! claim: it is refused)
//	claim USER               wait for the one unclaimed PIN and approve it as USER
//	emu advance DURATION     move the emulator's clock
//	emu revoke               remove this config dir's device from Authorized Devices
//	emu stats ENDPOINT N     the endpoint was requested exactly N times
//	emu fault ENDPOINT STATUS [COUNT]   answer STATUS to the endpoint (COUNT times)
//	emu wait URL             wait until an emulator answers at URL (plexkit emulator in background)
//	exits CODE plexkit ARGS  run plexkit; it must exit with CODE (stdout and stderr are kept)
//	unbase64 IN OUT          decode a base64 file (binary fixtures such as raw key files)
func TestAcceptance(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               setupEmulator,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"claim":    cmdClaim,
			"emu":      cmdEmu,
			"exits":    cmdExits,
			"unbase64": cmdUnbase64,
		},
	})
}

// acceptanceLibrarySize keeps the emulated libraries small: the scripts list a few items.
const acceptanceLibrarySize = 120

func setupEmulator(env *testscript.Env) error {
	e := emulator.New(emulator.Options{LibrarySize: acceptanceLibrarySize})
	if err := e.Start(); err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	env.Defer(func() { e.Close() })
	env.Setenv("PLEXTV", e.URL())
	env.Setenv("PLEXTV_ADDR", strings.TrimPrefix(e.URL(), "http://"))
	env.Setenv(cli.EnvPlexTVURL, e.URL())
	env.Setenv(cli.EnvConfigDir, filepath.Join(env.WorkDir, "config"))
	// The default config directory, should a script unset PLEXKIT_CONFIG_DIR, stays in $WORK.
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "xdg"))
	for _, u := range e.Users() {
		env.Setenv(strings.ToUpper(u.Username)+"_LEGACY", e.LegacyToken(u.Username))
	}
	for _, s := range e.Servers() {
		name := strings.ToUpper(strings.TrimPrefix(s.Name, "alice-"))
		env.Setenv(name+"_URL", s.URL)
		env.Setenv(name+"_ID", s.MachineIdentifier)
	}
	// A binary built with -race sleeps a second at exit (to let reports finish) unless told
	// otherwise; the scripts run plexkit a few hundred times.
	if race := env.Getenv("GORACE"); !strings.Contains(race, "atexit_sleep_ms") {
		env.Setenv("GORACE", strings.TrimSpace(race+" atexit_sleep_ms=0"))
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env.Setenv("FREE_ADDR", addr)
	return nil
}

// freeAddr returns a loopback address that was free a moment ago. Its port is below Linux's
// and most systems' ephemeral range (32768 and up), from which the other scripts' emulators
// get their ports, so that none of them can take it before the script listens on it.
func freeAddr() (string, error) {
	for range 100 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+rand.IntN(12000)))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		return addr, nil
	}
	return "", errors.New("no free loopback port between 20000 and 32000")
}

// control calls the emulator's control API at path (under /__emulator/) with form values (a
// POST) or none (a GET), and decodes a JSON answer into out when out is not nil. A failure ends
// the script.
func control(ts *testscript.TestScript, path string, form url.Values, out any) {
	ts.Check(tryControl(ts, path, form, out))
}

// tryControl is control that returns its failure, including an answer that is not a 2xx.
func tryControl(ts *testscript.TestScript, path string, form url.Values, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, ts.Getenv("PLEXTV")+"/__emulator/"+path, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s /__emulator/%s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// cmdClaim approves a PIN as a person would: the one with CODE, or, without a code, the one PIN
// a background `plexkit login` is waiting on (it polls the emulator's list until exactly one is
// unclaimed). With !, the control API must refuse the approval.
func cmdClaim(ts *testscript.TestScript, neg bool, args []string) {
	switch {
	case len(args) == 2:
		err := tryControl(ts, "pins/claim", url.Values{"code": {args[0]}, "user": {args[1]}}, nil)
		switch {
		case neg && err == nil:
			ts.Fatalf("the emulator approved PIN %s as %s", args[0], args[1])
		case !neg:
			ts.Check(err)
		}
	case len(args) == 1 && !neg:
		claimPending(ts, args[0])
	default:
		ts.Fatalf("usage: [!] claim CODE USER | claim USER")
	}
}

func claimPending(ts *testscript.TestScript, user string) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		var pins []struct {
			Code    string `json:"code"`
			Claimed bool   `json:"claimed"`
		}
		control(ts, "pins", nil, &pins)
		var open []string
		for _, p := range pins {
			if !p.Claimed {
				open = append(open, p.Code)
			}
		}
		switch {
		case len(open) == 1:
			control(ts, "pins/claim", url.Values{"code": {open[0]}, "user": {user}}, nil)
			ts.Logf("claimed PIN %s as %s", open[0], user)
			return
		case len(open) > 1:
			ts.Fatalf("%d PINs wait for approval; expected one", len(open))
		case time.Now().After(deadline):
			ts.Fatalf("no PIN was created within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cmdEmu(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: emu advance|revoke|stats|fault|wait ...")
	}
	if neg {
		ts.Fatalf("unsupported: ! emu %s", args[0])
	}
	switch sub, rest := args[0], args[1:]; {
	case sub == "advance" && len(rest) == 1:
		control(ts, "clock", url.Values{"advance": {rest[0]}}, nil)
	case sub == "revoke" && len(rest) == 0:
		var dev struct {
			ClientIdentifier string `json:"clientIdentifier"`
		}
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(filepath.Join(ts.Getenv(cli.EnvConfigDir), "device.json"))), &dev))
		control(ts, "devices/revoke", url.Values{"clientIdentifier": {dev.ClientIdentifier}}, nil)
	case sub == "stats" && len(rest) == 2:
		want, err := strconv.Atoi(rest[1])
		ts.Check(err)
		var stats map[string]int
		control(ts, "stats", nil, &stats)
		if got := stats[rest[0]]; got != want {
			ts.Fatalf("%s was requested %d times; want %d", rest[0], got, want)
		}
	case sub == "fault" && (len(rest) == 2 || len(rest) == 3):
		form := url.Values{"endpoint": {rest[0]}, "status": {rest[1]}}
		if len(rest) == 3 {
			form.Set("count", rest[2])
		}
		control(ts, "faults", form, nil)
	case sub == "wait" && len(rest) == 1:
		waitForEmulator(ts, rest[0])
	default:
		ts.Fatalf("usage: emu advance DURATION | revoke | stats ENDPOINT N | fault ENDPOINT STATUS [COUNT] | wait URL")
	}
}

// waitForEmulator polls an emulator's control API until it answers.
func waitForEmulator(ts *testscript.TestScript, base string) {
	deadline := time.Now().Add(15 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(base + "/__emulator/state")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no emulator answered at %s within 15 s (last error: %v)", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cmdExits runs a command and checks its exit code, which testscript's exec does not tell
// apart: 1 (a failure) and 2 (a usage error) are different promises of the CLI.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		got = exit.ExitCode()
	case err != nil:
		ts.Fatalf("run %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func cmdUnbase64(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unbase64 IN OUT")
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ts.ReadFile(args[0])))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o600))
}
