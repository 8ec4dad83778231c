package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// startCLIEmulator runs an emulator for one test.
func startCLIEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	return startCLIEmulatorWith(t, emulator.Options{LibrarySize: 10})
}

// startCLIEmulatorWith starts an emulator with opts, closed when the test ends.
func startCLIEmulatorWith(t testing.TB, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	e := emulator.New(opts)
	if err := e.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// emulatorEnv is an environment that points plexkit at e, with a fresh config directory.
func emulatorEnv(t testing.TB, e *emulator.Emulator) map[string]string {
	return map[string]string{
		EnvConfigDir: filepath.Join(t.TempDir(), "plexkit"),
		EnvPlexTVURL: e.URL(),
		"HOME":       filepath.Join(t.TempDir(), "home"),
	}
}

// emulatorPin is an element of the emulator's GET /__emulator/pins.
type emulatorPin struct {
	Code    string `json:"code"`
	Claimed bool   `json:"claimed"`
}

// approvePins approves, as username, every PIN created on e until the test ends — the person at
// the browser while `plexkit login` waits.
func approvePins(t testing.TB, e *emulator.Emulator, username string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, p := range pendingPins(t, e) {
				if err := e.ClaimPin(p.Code, username); err != nil {
					t.Errorf("ClaimPin: %v", err)
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
}

func pendingPins(t testing.TB, e *emulator.Emulator) []emulatorPin {
	resp, err := http.Get(e.URL() + "/__emulator/pins")
	if err != nil {
		t.Errorf("list pins: %v", err)
		return nil
	}
	defer resp.Body.Close()
	var all []emulatorPin
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		t.Errorf("list pins: %v", err)
	}
	var out []emulatorPin
	for _, p := range all {
		if !p.Claimed {
			out = append(out, p)
		}
	}
	return out
}

// accountOf returns the username plex.tv (the emulator) says token belongs to.
func accountOf(t testing.TB, e *emulator.Emulator, dir, token string) string {
	t.Helper()
	dev, err := devicekey.LoadDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(plexkitInfo(dev)))
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Users.Me(context.Background(), token)
	if err != nil {
		t.Fatalf("the token does not work: %v", err)
	}
	return me.Username
}

// savedToken returns the token in the config directory.
func savedToken(t testing.TB, dir string) *auth.Token {
	t.Helper()
	tok, err := (&auth.FileStore{Dir: dir}).Load(context.Background())
	if err != nil {
		t.Fatalf("load the saved token: %v", err)
	}
	return tok
}

func TestLoginCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		approver string // who approves the PIN; "" for none
		tty      bool
		code     int
		stdout   []string
		stderr   []string
		check    func(t *testing.T, e *emulator.Emulator, r cliResult)
	}{
		{
			name: "strong PIN", args: []string{"login"}, approver: "alice",
			stdout: []string{"Logged in as alice (alice@example.com)", "expires in 6 days"},
			stderr: []string{"Created this installation's device key", "/auth#?clientID=", "approve plexkit"},
			check: func(t *testing.T, e *emulator.Emulator, r cliResult) {
				for _, name := range []string{devicekey.KeyFile, devicekey.DeviceFile, auth.TokenFileName, loginFile} {
					fi, err := os.Stat(filepath.Join(r.configDir, name))
					if err != nil || fi.Mode().Perm() != 0o600 {
						t.Errorf("%s: %v, mode %v; want a 0600 file", name, err, fi.Mode())
					}
				}
				if got := accountOf(t, e, r.configDir, savedToken(t, r.configDir).Value); got != "alice" {
					t.Errorf("the saved token belongs to %q", got)
				}
				if strings.Contains(r.stdout+r.stderr, savedToken(t, r.configDir).Value) {
					t.Error("login printed the token")
				}
			},
		},
		{
			name: "link PIN", args: []string{"login", "--link"}, approver: "bob",
			stdout: []string{"Logged in as bob"},
			stderr: []string{"/link?pin=", "and enter the code"},
			check: func(t *testing.T, _ *emulator.Emulator, r cliResult) {
				code := strings.TrimSpace(strings.SplitN(strings.SplitN(r.stderr, "enter the code:", 2)[1], "\n\n", 3)[1])
				if len(code) != 4 || !strings.Contains(r.stderr, "/link?pin="+code) {
					t.Errorf("code %q is not a 4-character code in the link URL:\n%s", code, r.stderr)
				}
			},
		},
		{
			name: "json", args: []string{"--json", "login", "--link"}, approver: "carol",
			check: func(t *testing.T, e *emulator.Emulator, r cliResult) {
				var out struct {
					User struct {
						ID       int64  `json:"id"`
						UUID     string `json:"uuid"`
						Username string `json:"username"`
						Email    string `json:"email"`
					} `json:"user"`
					ExpiresAt        time.Time `json:"expiresAt"`
					ClientIdentifier string    `json:"clientIdentifier"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
				}
				dev, err := devicekey.LoadDevice(r.configDir)
				if err != nil {
					t.Fatal(err)
				}
				if out.User.Username != "carol" || out.User.Email != "carol@example.com" || out.User.ID == 0 || out.User.UUID == "" {
					t.Errorf("user = %+v", out.User)
				}
				if out.ClientIdentifier != dev.ClientIdentifier || !out.ExpiresAt.Equal(savedToken(t, r.configDir).Expiry) {
					t.Errorf("clientIdentifier %s, expiresAt %s; want the device's and the saved token's", out.ClientIdentifier, out.ExpiresAt)
				}
			},
		},
		{
			name: "scopes choose the claims and are kept for refreshes", args: []string{"login", "--scopes", "username"}, approver: "alice",
			check: func(t *testing.T, _ *emulator.Emulator, r cliResult) {
				d, err := plextv.DecodeUnverified(savedToken(t, r.configDir).Value)
				if err != nil {
					t.Fatal(err)
				}
				if d.Claims.User.Username != "alice" || d.Claims.User.Email != "" {
					t.Errorf("user claims %+v; want the username only", d.Claims.User)
				}
				if s, err := loadScopes(r.configDir); err != nil || strings.Join(s, ",") != "username" {
					t.Errorf("recorded scopes %v, %v", s, err)
				}
			},
		},
		{
			name: "a terminal gets a QR code and a spinner", args: []string{"login"}, approver: "alice", tty: true,
			stderr: []string{"▀", "Waiting for the approval"},
		},
		{
			name: "--open runs the BROWSER command with the URL", args: []string{"login", "--open"}, approver: "alice",
			env: map[string]string{"BROWSER": "BROWSER-SCRIPT"},
			check: func(t *testing.T, e *emulator.Emulator, r cliResult) {
				var got []byte
				for range 200 { // the browser runs on its own; give it a moment
					if got, _ = os.ReadFile(r.environment["BROWSER-OUT"]); len(got) > 0 {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if !strings.HasPrefix(string(got), e.URL()+"/auth#?clientID=") {
					t.Errorf("the browser was given %q; stderr %s", got, r.stderr)
				}
			},
		},
		{
			name: "--open without a browser warns and goes on", args: []string{"login", "--open"}, approver: "alice",
			env:    map[string]string{"BROWSER": "/nonexistent/browser"},
			stdout: []string{"Logged in as alice"},
			stderr: []string{"warning: cannot open a browser"},
		},
		{
			name: "legacy token from the environment", args: []string{"login"},
			env:    map[string]string{EnvLegacyToken: "LEGACY:dave"},
			stdout: []string{"Logged in as dave"},
			check: func(t *testing.T, e *emulator.Emulator, r cliResult) {
				if n := e.Stats()["POST /api/v2/pins"]; n != 0 {
					t.Errorf("%d PINs created for a legacy-token login", n)
				}
				if strings.Contains(r.stdout+r.stderr, r.environment[EnvLegacyToken]) {
					t.Error("the legacy token was printed")
				}
			},
		},
		{
			name: "legacy token flag", args: []string{"login", "--legacy-token", "LEGACY:bob"},
			stdout: []string{"Logged in as bob"},
		},
		{
			name: "a wrong legacy token", args: []string{"login", "--legacy-token", "wrongwrongwrongwrong"},
			code: 1, stderr: []string{"401"},
		},
		{
			name: "an unapproved PIN times out", args: []string{"login", "--timeout", "300ms"},
			code: 1, stderr: []string{"the PIN was not approved within 300ms", "run `plexkit login` again"},
		},
		{
			name: "the timeout is named as asked", args: []string{"login", "--timeout", "1500ms"},
			code: 1, stderr: []string{"the PIN was not approved within 1.5s;"},
		},
		{
			name: "admin is a role, not a scope", args: []string{"login", "--scopes", "username,admin"},
			code: 2, stderr: []string{`"admin"`, "roles on a server"},
			check: func(t *testing.T, e *emulator.Emulator, r cliResult) {
				if _, err := os.Stat(filepath.Join(r.configDir, devicekey.DeviceFile)); err == nil {
					t.Error("a refused login created a device")
				}
				if len(e.Stats()) != 0 {
					t.Errorf("a refused login sent requests: %v", e.Stats())
				}
			},
		},
		{name: "zero timeout", args: []string{"login", "--timeout", "0s"}, code: 2, stderr: []string{"--timeout must be positive"}},
		{name: "legacy token with --link", args: []string{"login", "--link", "--legacy-token", "x"}, code: 2, stderr: []string{"do not apply"}},
		{name: "a bad --plextv", args: []string{"--plextv", "ftp://x", "login"}, code: 2, stderr: []string{"--plextv", "not an absolute http(s) URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startCLIEmulator(t)
			env := emulatorEnv(t, e)
			for k, v := range tt.env {
				switch {
				case strings.HasPrefix(v, "LEGACY:"):
					v = e.LegacyToken(strings.TrimPrefix(v, "LEGACY:"))
				case v == "BROWSER-SCRIPT":
					v, env["BROWSER-OUT"] = fakeBrowser(t)
				}
				env[k] = v
			}
			args := tt.args
			for i, a := range args {
				if strings.HasPrefix(a, "LEGACY:") {
					args = append([]string(nil), args...)
					args[i] = e.LegacyToken(strings.TrimPrefix(a, "LEGACY:"))
				}
			}
			if tt.approver != "" {
				approvePins(t, e, tt.approver)
			}
			r := runCLIWith(t, env, tt.tty, args...)
			r.expect(t, tt.code, tt.stderr...)
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout %q lacks %q", r.stdout, s)
				}
			}
			if tt.check != nil && !t.Failed() {
				tt.check(t, e, r)
			}
		})
	}
}

// fakeBrowser writes a script that records the URL it is given, and returns its path and the
// file it writes.
func fakeBrowser(t *testing.T) (script, out string) {
	dir := t.TempDir()
	script, out = filepath.Join(dir, "browser"), filepath.Join(dir, "url")
	// The paths are quoted for the shell: test names (and so temporary directories) may hold "$".
	body := fmt.Sprintf("#!/bin/sh\nprintf '%%s' \"$1\" > '%[1]s.tmp' && mv '%[1]s.tmp' '%[1]s'\n", out)
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return script, out
}

// runCLIWith is runCLI with a complete environment, and stderr a terminal when tty is set.
func runCLIWith(t testing.TB, env map[string]string, tty bool, args ...string) cliResult {
	t.Helper()
	streams, _, out, errOut := TestIO()
	streams.ErrTTY = tty
	code := Run(args, streams, func(k string) string { return env[k] })
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String(), configDir: env[EnvConfigDir], environment: env}
}

// loggedInEmulator starts an emulator and an environment pointed at it, with username logged in.
func loggedInEmulator(t testing.TB, username string) (*emulator.Emulator, map[string]string) {
	t.Helper()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	loginAs(t, e, env, username)
	return e, env
}

// loginAs logs the installation of env in as username, through the CLI.
func loginAs(t testing.TB, e *emulator.Emulator, env map[string]string, username string) {
	t.Helper()
	env[EnvLegacyToken] = e.LegacyToken(username)
	defer delete(env, EnvLegacyToken)
	runCLIWith(t, env, false, "login").mustSucceed(t)
}
