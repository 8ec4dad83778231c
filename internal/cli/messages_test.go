package cli

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// runTTY runs plexkit with stdin text and stdout and stderr terminals.
func runTTY(t testing.TB, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	streams, in, out, errOut := TestIO()
	in.WriteString(stdin)
	streams.OutTTY, streams.ErrTTY = true, true
	code := Run(args, streams, func(k string) string { return env[k] })
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String(), configDir: env[EnvConfigDir], environment: env}
}

// TestMessages holds the wording fixes of issue 13 (items 7 and 8): each case is a message that
// used to mislead.
func TestMessages(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, _ := srvLogin(t, e, "alice")

	t.Run("no sessions on a terminal", func(t *testing.T) {
		t.Parallel()
		r := runTTY(t, alice, "", "sessions", "--server", emulator.ServerAliceVault).mustSucceed(t)
		if r.stdout != "Nothing is playing on alice-vault.\n" {
			t.Errorf("stdout %q", r.stdout)
		}
		piped := runCLIWith(t, alice, false, "sessions", "--server", emulator.ServerAliceVault).mustSucceed(t)
		if piped.stdout != "KEY\tUSER\tTITLE\tTYPE\tSTATE\tPLAYER\tPROGRESS\n" {
			t.Errorf("piped stdout %q, want the header alone", piped.stdout)
		}
	})

	t.Run("the server prompt asks again", func(t *testing.T) {
		t.Parallel()
		r := runTTY(t, alice, "7\nnope\n2\n", "sessions")
		r.mustSucceed(t)
		if strings.Count(r.stderr, "Which one?") != 3 || !strings.Contains(r.stderr, `"nope" is none of them`) {
			t.Errorf("stderr %q", r.stderr)
		}
		if r.stdout != "Nothing is playing on alice-vault.\n" {
			t.Errorf("the second server was not chosen: %q", r.stdout)
		}
		r = runTTY(t, alice, "junk\n", "sessions")
		r.expect(t, ExitUsage, "no server chosen")
	})

	t.Run("--endpoint names its own bad method", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, nil, "", "doctor", "--endpoint", "FOO /bar")
		r.expect(t, ExitUsage, `--endpoint "FOO /bar": FOO is not an HTTP method`)
		if strings.Contains(r.stderr, "--method") {
			t.Errorf("blames --method: %q", r.stderr)
		}
	})

	t.Run("doctor with an unknown PIN", func(t *testing.T) {
		t.Parallel()
		r := runCLIWith(t, alice, false, "doctor", "--server", "alice-nas", "--pin", "42")
		r.expect(t, ExitFailure)
		if !strings.HasSuffix(r.stdout, "The call would be accepted, but the PIN failed: see above.\n") {
			t.Errorf("stdout ends %q", r.stdout[max(0, len(r.stdout)-120):])
		}
	})

	t.Run("login while logged in", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{}
		for k, v := range alice {
			env[k] = v
		}
		env[EnvConfigDir] = filepath.Join(t.TempDir(), "plexkit")
		loginAs(t, e, env, "alice")
		// The same account again: a device belongs to one account, so another one is refused.
		env[EnvLegacyToken] = e.LegacyToken("alice")
		r := runCLIWith(t, env, false, "login").mustSucceed(t)
		if !strings.Contains(r.stderr, "Already logged in as alice (the token is valid until ") || !strings.Contains(r.stderr, "this login replaces it") {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("login as another account on a device registered to one", func(t *testing.T) {
		t.Parallel()
		e, env := loggedInEmulator(t, "alice") // its own: the PIN must be bob's alone to approve
		// By legacy token, then by a PIN bob approves: plex.tv refuses both (422), and the
		// message says why and what to do, not the refused URL.
		env[EnvLegacyToken] = e.LegacyToken("bob")
		byToken := runCLIWith(t, env, false, "login")
		delete(env, EnvLegacyToken)
		approvePins(t, e, "bob")
		byPin := runCLIWith(t, env, false, "login")
		for _, r := range []cliResult{byToken, byPin} {
			r.expect(t, ExitFailure, "plex.tv refused to register this device for the account that approved the login",
				"this one is registered to alice", EnvConfigDir, "`plexkit key generate --force` (which ends the login as alice here)")
			if last := lines(r.stderr)[len(lines(r.stderr))-1]; strings.Contains(last, "http://") || strings.Contains(last, "1094") {
				t.Errorf("the refused call shows without --debug: %q", last)
			}
		}
		// Nothing was lost: alice's login still works.
		runCLIWith(t, env, false, "whoami").mustSucceed(t)
		// The advice works: a new device, then bob's login goes through.
		runCLIWith(t, env, false, "key", "generate", "--force").mustSucceed(t)
		if r := runCLIWith(t, env, false, "login").mustSucceed(t); !strings.Contains(r.stdout+r.stderr, "bob") {
			t.Errorf("after key generate --force, login says %q %q", r.stdout, r.stderr)
		}
	})

	t.Run("key import of a PEM file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		pem := filepath.Join(dir, "k.pem")
		if err := os.WriteFile(pem, []byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIP+ntmSfmEb8H0Gl3fOxOQiYPPlTwrIvc3BHZfIHDx7v\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, nil, "", "key", "import", "--private", pem, "--public", pem)
		r.expect(t, ExitFailure, "is a PEM file", "openssl pkey")
		if strings.Contains(r.stderr, "backup") {
			t.Errorf("gives the advice for a damaged device.key: %q", r.stderr)
		}
	})

	t.Run("a PIN's expiry in RFC 3339", func(t *testing.T) {
		t.Parallel()
		env := emulatorEnv(t, e)
		approvePins(t, e, "alice")
		r := runCLIWith(t, env, false, "login").mustSucceed(t)
		if !strings.Contains(r.stderr, "The PIN expires at 20") || !strings.Contains(r.stderr, "Z.\n") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
}

// TestServerAccounts: the names a server lists in GET /accounts (as a real PMS does for its
// owner) name the history's accounts; a server that refuses or lacks it names none.
func TestServerAccounts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/accounts" || r.Header.Get("X-Plex-Token") != "owner-token-xxxxxxxx" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"MediaContainer":{"size":3,"Account":[{"id":0,"name":""},{"id":1,"name":"alice"},{"id":21384602,"name":"bob"}]}}`)
	}))
	defer srv.Close()
	for token, want := range map[string]map[int]string{
		"owner-token-xxxxxxxx":  {1: "alice", 21384602: "bob"},
		"friend-token-xxxxxxxx": {},
	} {
		c, err := pms.NewClient(srv.URL, pms.WithToken(token))
		if err != nil {
			t.Fatal(err)
		}
		names := map[int]string{}
		serverAccounts(context.Background(), c, names)
		if !maps.Equal(names, want) {
			t.Errorf("names = %v, want %v", names, want)
		}
	}
	if got := accountName(map[int]string{1: "alice"}, 21384603); got != "21384603" {
		t.Errorf("an unknown account is %q, want its id", got)
	}
}
