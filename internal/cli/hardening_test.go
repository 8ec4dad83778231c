package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
)

// After two rotations plex.tv no longer publishes the key that signed the saved token, and
// refuses it. A refresh cures that (the device key is still registered), so whoami and servers
// must refresh and carry on — not send the person to log in again.
func TestTwoRotationsAreCuredByARefresh(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	loginAs(t, e, env, "alice")
	dir := env[EnvConfigDir]
	before := savedToken(t, dir)
	e.RotateKey()
	e.RotateKey()
	r := runCLIWith(t, env, false, "whoami")
	if r.code != 0 {
		t.Fatalf("whoami after two rotations: exit %d\n%s", r.code, r.stderr+r.stdout)
	}
	if !strings.Contains(r.stdout, "alice") {
		t.Fatalf("whoami printed %q", r.stdout)
	}
	after := savedToken(t, dir)
	if after.Value == before.Value {
		t.Fatal("the saved token was not refreshed")
	}
	if !strings.Contains(r.stdout, after.Expiry.UTC().Format("2006-01-02T15:04:05Z")) {
		t.Errorf("whoami shows an expiry that is not the new token's %s:\n%s", after.Expiry.UTC(), r.stdout)
	}
	e.RotateKey()
	e.RotateKey()
	if r := runCLIWith(t, env, false, "servers"); r.code != 0 {
		t.Fatalf("servers after two more rotations: exit %d\n%s", r.code, r.stderr)
	}
}

// `plexkit token` prints only a token it has checked: one that does not verify (here not even
// a JWT) is replaced by a refresh, never printed.
func TestTokenPrintsOnlyACheckedToken(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	loginAs(t, e, env, "alice")
	dir := env[EnvConfigDir]
	bad := *savedToken(t, dir)
	bad.Value = "garbage.garbage.garbage"
	if err := (&auth.FileStore{Dir: dir}).Save(context.Background(), &bad); err != nil {
		t.Fatal(err)
	}
	r := runCLIWith(t, env, false, "token")
	if strings.Contains(r.stdout, "garbage") {
		t.Fatalf("printed the unchecked token: %q", r.stdout)
	}
	r.mustSucceed(t)
	printed := strings.TrimSpace(r.stdout)
	if got := accountOf(t, e, dir, printed); got != "alice" {
		t.Fatalf("the printed token belongs to %q", got)
	}
}

// A refresh in a new process costs a nonce and an exchange: plex.tv's key set is kept in the
// config directory since the login.
func TestRefreshInANewProcessCostsTwoRequests(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	loginAs(t, e, env, "alice")
	shortenSavedToken(t, env[EnvConfigDir], time.Hour)
	before := e.Stats()
	runCLIWith(t, env, false, "token").mustSucceed(t)
	d := delta(before, e.Stats())
	if d["GET /api/v2/auth/nonce"] != 1 || d["POST /api/v2/auth/token"] != 1 || len(d) != 2 {
		t.Fatalf("a refresh in a new process made %v; want a nonce and an exchange only", d)
	}
	// A valid token is printed without any request: it is checked against the kept key set.
	before = e.Stats()
	runCLIWith(t, env, false, "token").mustSucceed(t)
	if d := delta(before, e.Stats()); len(d) != 0 {
		t.Fatalf("printing a valid token made %v", d)
	}
}

// plex.tv's clock is 3 days ahead of this machine. The offset learned at login is kept with the
// token, so a later run judges the token's expiry by plex.tv's clock before any request: a token
// with 2 days left by this machine's clock is already expired for plex.tv, and is refreshed.
func TestClockOffsetIsKeptWithTheToken(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{LibrarySize: 10, Start: time.Now().Add(72 * time.Hour)})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	env := emulatorEnv(t, e)
	loginAs(t, e, env, "alice")
	dir := env[EnvConfigDir]
	if off := savedToken(t, dir).ClockOffset; off < 71*time.Hour || off > 73*time.Hour {
		t.Fatalf("the saved clock offset is %s, want about 72h", off)
	}
	old := shortenSavedToken(t, dir, 48*time.Hour)
	r := runCLIWith(t, env, false, "token").mustSucceed(t)
	if strings.TrimSpace(r.stdout) == old.Value {
		t.Fatal("printed a token plex.tv holds expired: the clock offset was forgotten")
	}
}

// plex.tv holds the token expired while this machine does not know it yet: the call gets a
// 498, the token is refreshed and the call repeated. whoami must show the new token's expiry.
func TestWhoamiShowsTheExpiryAfterA498(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	loginAs(t, e, env, "alice")
	dir := env[EnvConfigDir]
	before := savedToken(t, dir)
	e.Advance(8 * 24 * time.Hour) // plex.tv's clock only: the saved token still looks fresh here
	r := runCLIWith(t, env, false, "whoami", "--json").mustSucceed(t)
	after := savedToken(t, dir)
	if after.Value == before.Value {
		t.Fatal("no refresh happened: the test does not test the 498 path")
	}
	if want := after.Expiry.UTC().Format(time.RFC3339); !strings.Contains(r.stdout, want) {
		t.Fatalf("whoami --json = %s; want the new expiry %s", r.stdout, want)
	}
}
