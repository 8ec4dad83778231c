package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
)

func plexkitInfo(dev *devicekey.Device) plexkit.ClientInfo {
	return plexkit.DefaultClientInfo(dev.ClientIdentifier)
}

// delta returns how many requests each endpoint got since before.
func delta(before, after map[string]int) map[string]int {
	d := map[string]int{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// shortenSavedToken rewrites the saved token's expiry to in from now, so that plexkit sees it
// due for refresh (plex.tv still holds it valid for its 7 days).
func shortenSavedToken(t *testing.T, dir string, in time.Duration) *auth.Token {
	t.Helper()
	tok := *savedToken(t, dir)
	tok.Expiry = time.Now().Add(in)
	if err := (&auth.FileStore{Dir: dir}).Save(context.Background(), &tok); err != nil {
		t.Fatal(err)
	}
	return &tok
}

func TestTokenCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		prepare func(t *testing.T, e *emulator.Emulator, dir string)
		refresh bool // a refresh (nonce + exchange) is expected
		code    int
		stderr  []string
	}{
		{name: "a valid token is printed without a request", args: []string{"token"}},
		{name: "--refresh forces a refresh", args: []string{"token", "--refresh"}, refresh: true},
		{
			name: "a token with under a day left is refreshed", args: []string{"token"}, refresh: true,
			prepare: func(t *testing.T, _ *emulator.Emulator, dir string) { shortenSavedToken(t, dir, 20*time.Hour) },
		},
		{
			name: "an expired token is refreshed", args: []string{"token"}, refresh: true,
			prepare: func(t *testing.T, _ *emulator.Emulator, dir string) { shortenSavedToken(t, dir, -time.Hour) },
		},
		{
			name: "a revoked device must log in again", args: []string{"token", "--refresh"}, code: 1,
			prepare: func(t *testing.T, e *emulator.Emulator, dir string) {
				dev, err := devicekey.LoadDevice(dir)
				if err != nil {
					t.Fatal(err)
				}
				e.RevokeDevice(dev.ClientIdentifier)
			},
			stderr: []string{"removed from the account's Authorized Devices", "run `plexkit login`"},
		},
		{
			name: "after logout", args: []string{"token"}, code: 1,
			prepare: func(t *testing.T, e *emulator.Emulator, dir string) {
				runCLIWith(t, map[string]string{EnvConfigDir: dir}, false, "logout").mustSucceed(t)
			},
			stderr: []string{"not logged in", "run `plexkit login`"},
		},
		{
			name: "a broken login record", args: []string{"token"}, code: 1,
			prepare: func(t *testing.T, e *emulator.Emulator, dir string) {
				if err := os.WriteFile(filepath.Join(dir, loginFile), []byte("{"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			stderr: []string{loginFile, "log in again"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, env := loggedInEmulator(t, "alice")
			dir := env[EnvConfigDir]
			before := savedToken(t, dir)
			if tt.prepare != nil {
				tt.prepare(t, e, dir)
			}
			stats := e.Stats()
			r := runCLIWith(t, env, false, tt.args...)
			r.expect(t, tt.code, tt.stderr...)
			d := delta(stats, e.Stats())
			if tt.code != 0 {
				return
			}
			printed := strings.TrimSuffix(r.stdout, "\n")
			if printed+"\n" != r.stdout || strings.Count(printed, ".") != 2 {
				t.Fatalf("stdout %q is not one JWT and a newline", r.stdout)
			}
			if printed != savedToken(t, dir).Value {
				t.Error("the printed token is not the saved one")
			}
			if refreshed := printed != before.Value; refreshed != tt.refresh {
				t.Errorf("refreshed = %v, want %v", refreshed, tt.refresh)
			}
			if tt.refresh {
				// A new process verifies with a cold cache: one key set fetch at most.
				if d["GET /api/v2/auth/nonce"] != 1 || d["POST /api/v2/auth/token"] != 1 || d["GET /api/v2/auth/keys"] > 1 || len(d) > 3 {
					t.Errorf("requests %v; want one nonce, one exchange, at most one key set", d)
				}
				if got := accountOf(t, e, dir, printed); got != "alice" {
					t.Errorf("the new token belongs to %q", got)
				}
			} else if len(d) != 0 {
				t.Errorf("a valid token cost requests: %v", d)
			}
		})
	}
	t.Run("not logged in", func(t *testing.T) {
		t.Parallel()
		e := startCLIEmulator(t)
		r := runCLIWith(t, emulatorEnv(t, e), false, "token")
		r.expect(t, 1, "not logged in", "run `plexkit login`")
		if len(e.Stats()) != 0 {
			t.Errorf("requests were sent: %v", e.Stats())
		}
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		_, env := loggedInEmulator(t, "bob")
		r := runCLIWith(t, env, false, "--json", "token").mustSucceed(t)
		var out struct {
			Token            string    `json:"token"`
			ExpiresAt        time.Time `json:"expiresAt"`
			ClientIdentifier string    `json:"clientIdentifier"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		saved := savedToken(t, env[EnvConfigDir])
		if out.Token != saved.Value || !out.ExpiresAt.Equal(saved.Expiry) || out.ClientIdentifier != saved.ClientIdentifier {
			t.Errorf("json %+v does not describe the saved token %v", out, saved)
		}
	})
}

// TestTokenCommandConcurrentProcesses: plexkit invocations sharing a config directory, all
// finding the token due, refresh it once between them (the store's lock).
func TestTokenCommandConcurrentProcesses(t *testing.T) {
	t.Parallel()
	e, env := loggedInEmulator(t, "alice")
	shortenSavedToken(t, env[EnvConfigDir], time.Hour)
	before := e.Stats()
	const runs = 8
	outs := make([]string, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { outs[i] = runCLIWith(t, env, false, "token").mustSucceed(t).stdout })
	}
	wg.Wait()
	if d := delta(before, e.Stats()); d["POST /api/v2/auth/token"] != 1 {
		t.Errorf("%d invocations made %v; want one exchange", runs, d)
	}
	for i, o := range outs {
		if o != outs[0] {
			t.Errorf("invocation %d printed another token", i)
		}
	}
}

func TestWhoamiCommand(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	t.Run("not logged in", func(t *testing.T) {
		runCLIWith(t, env, false, "whoami").expect(t, 1, "not logged in", "run `plexkit login`")
	})
	loginAs(t, e, env, "bob")
	dev, err := devicekey.LoadDevice(env[EnvConfigDir])
	if err != nil {
		t.Fatal(err)
	}
	var bob emulator.UserInfo
	for _, u := range e.Users() {
		if u.Username == "bob" {
			bob = u
		}
	}
	t.Run("table", func(t *testing.T) {
		r := runCLIWith(t, env, false, "whoami").mustSucceed(t)
		for _, want := range []string{"username\tbob\n", "email\tbob@example.com\n", "uuid\t" + bob.UUID + "\n", "token\tPlex JWT, expires in 6 days 23 hours", "device\t" + dev.ClientIdentifier} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout %q lacks %q", r.stdout, want)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		r := runCLIWith(t, env, false, "whoami", "--json").mustSucceed(t)
		var out map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out["username"] != "bob" || out["email"] != "bob@example.com" || out["id"] != float64(bob.ID) || out["uuid"] != bob.UUID || out["clientIdentifier"] != dev.ClientIdentifier || out["tokenExpiresAt"] == "" {
			t.Errorf("json = %v", out)
		}
	})
	t.Run("a revoked device", func(t *testing.T) {
		e.RevokeDevice(dev.ClientIdentifier)
		runCLIWith(t, env, false, "whoami").expect(t, 1, "401", "run `plexkit login`")
	})
}

func TestLogoutCommand(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	dir := env[EnvConfigDir]
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	loginAs(t, e, env, "alice")
	steps := []struct {
		name      string
		args      []string
		stderr    string
		remaining []string
		gone      []string
	}{
		{"logout keeps the key", []string{"logout"}, "Logged out: deleted the token", []string{devicekey.KeyFile, devicekey.DeviceFile}, []string{auth.TokenFileName, loginFile}},
		{"logging out twice", []string{"logout"}, "Not logged in", []string{devicekey.DeviceFile}, []string{auth.TokenFileName}},
		{"--forget-key deletes the key", []string{"logout", "--forget-key"}, "deleted the device key", nil, []string{devicekey.KeyFile, devicekey.DeviceFile}},
		{"--forget-key with nothing left", []string{"logout", "--forget-key"}, "Not logged in", nil, []string{devicekey.DeviceFile}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := runCLIWith(t, env, false, s.args...).mustSucceed(t)
			if !strings.Contains(r.stderr, s.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, s.stderr)
			}
			for _, f := range s.remaining {
				if !exists(f) {
					t.Errorf("%s was deleted", f)
				}
			}
			for _, f := range s.gone {
				if exists(f) {
					t.Errorf("%s is still there", f)
				}
			}
		})
	}
	t.Run("log in again creates a new device", func(t *testing.T) {
		loginAs(t, e, env, "alice")
		runCLIWith(t, env, false, "whoami").mustSucceed(t)
	})
}

func TestLogoutJSON(t *testing.T) {
	t.Parallel()
	_, env := loggedInEmulator(t, "alice")
	for _, step := range []struct {
		args []string
		want logoutResult
	}{
		{[]string{"logout", "--json"}, logoutResult{DeletedToken: true}},
		{[]string{"logout", "--json", "--forget-key"}, logoutResult{DeletedKey: true}},
		{[]string{"logout", "--json", "--forget-key"}, logoutResult{}},
	} {
		r := runCLIWith(t, env, false, step.args...).mustSucceed(t)
		var got logoutResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%v: stdout %q is not JSON: %v", step.args, r.stdout, err)
		}
		if got != step.want || !strings.Contains(r.stdout, `"deletedToken"`) || !strings.Contains(r.stdout, `"deletedKey"`) {
			t.Errorf("%v: stdout %q, want %+v", step.args, r.stdout, step.want)
		}
	}
	if r := runCLIWith(t, env, false, "logout").mustSucceed(t); r.stdout != "" {
		t.Errorf("logout without --json printed %q on stdout", r.stdout)
	}
}

// A refresh in another process saves the token while it holds the store's lock. A logout that
// starts meanwhile must wait for it and delete what it saved, not leave the refreshed token
// behind.
func TestLogoutTakesTheStoreLock(t *testing.T) {
	t.Parallel()
	_, env := loggedInEmulator(t, "alice")
	dir := env[EnvConfigDir]
	tok := savedToken(t, dir)
	store := &auth.FileStore{Dir: dir}
	unlock, err := store.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan cliResult)
	go func() {
		streams, _, out, errOut := TestIO()
		code := Run([]string{"logout"}, streams, func(k string) string { return env[k] })
		done <- cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
	}()
	// The "refresh" saves its token under the lock, whenever the logout started.
	if err := store.Save(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	unlock()
	r := <-done
	r.expect(t, 0, "Logged out: deleted the token")
	if _, err := os.Stat(store.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the token saved under the lock survived the logout: %v", err)
	}
}
