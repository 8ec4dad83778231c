package cli

import (
	"strings"
	"testing"
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
