package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// TestVerifiedTokenStillChecked: a Plex JWT a server has already accepted (so its signature is
// no longer checked again) is still refused once its device is revoked, once it expires, and
// once plex.tv no longer publishes the key that signed it — on the servers and on plex.tv.
func TestVerifiedTokenStillChecked(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS) + "/library/sections"
	ready := func(t *testing.T) (tok, cid string) {
		t.Helper()
		d := newDevice(t)
		registerLegacy(t, e, d, "alice")
		tok = refresh(t, e, d)
		for range 3 { // accepted, and from then on from the cache
			if res := do(t, e, req{method: "GET", url: nas, token: tok}); res.status != http.StatusOK {
				t.Fatalf("a fresh token is refused: %d", res.status)
			}
		}
		if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}); res.status != http.StatusOK {
			t.Fatalf("plex.tv refuses a fresh token: %d", res.status)
		}
		return tok, d.cid
	}
	expect := func(t *testing.T, tok, cid string, pms, plextv int) {
		t.Helper()
		if res := do(t, e, req{method: "GET", url: nas, token: tok}); res.status != pms {
			t.Errorf("server answered %d, want %d", res.status, pms)
		}
		if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: cid, token: tok}); res.status != plextv {
			t.Errorf("plex.tv answered %d, want %d", res.status, plextv)
		}
	}

	// Not parallel: the clock and the keys are the emulator's, shared by the three.
	t.Run("revoked", func(t *testing.T) {
		tok, cid := ready(t)
		e.RevokeDevice(cid)
		expect(t, tok, cid, http.StatusUnauthorized, http.StatusUnauthorized)
	})
	t.Run("expired", func(t *testing.T) {
		tok, cid := ready(t)
		e.Advance(emulator.PlexJWTLifetime + time.Minute)
		expect(t, tok, cid, emulator.StatusTokenExpired, emulator.StatusTokenExpired)
	})
	t.Run("key retired", func(t *testing.T) {
		tok, cid := ready(t)
		e.RotateKey()
		expect(t, tok, cid, http.StatusOK, http.StatusOK) // the previous key is still published
		e.RotateKey()
		expect(t, tok, cid, http.StatusUnauthorized, http.StatusUnauthorized)
	})
}
