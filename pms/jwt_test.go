package pms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/pms"
)

// TestPlexJWTRefusedByVault presents a real Plex JWT — from a PIN login on the emulator's
// plex.tv — to alice-vault, which accepts only its own access token: refused with 401. Connect
// with the JWT and a refetch through plex.tv's resources then succeeds with the resource token,
// and so does Connect with the reference's token alone. (plextv is imported by this test only;
// package pms does not depend on it.)
func TestPlexJWTRefusedByVault(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	dev, err := devicekey.CreateDevice(t.TempDir())
	must(t, err)
	info := plexkit.DefaultClientInfo(dev.ClientIdentifier)
	tv, err := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(info))
	must(t, err)
	var claimErr error
	jwt, err := plextv.Login(ctx, tv, dev, plextv.LoginOptions{
		OnPin: func(pin *plextv.Pin, _ string) { claimErr = e.ClaimPin(pin.Code, "alice") },
	})
	must(t, claimErr)
	must(t, err)
	if jwt.Kind != auth.KindPlexJWT || auth.KindOf(jwt.Value) != auth.KindPlexJWT {
		t.Fatalf("Login gave a %s, want a Plex JWT", jwt.Kind)
	}

	// The account's plex.tv client, and the refetch the CLI does: the resources again.
	account, err := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(info), plextv.WithTokenSource(auth.StaticTokenSource(jwt)))
	must(t, err)
	var mu sync.Mutex
	refetches := 0
	refetch := func(ctx context.Context) (pms.ServerRef, error) {
		mu.Lock()
		refetches++
		mu.Unlock()
		servers, err := account.Resources.Servers(ctx)
		if err != nil {
			return pms.ServerRef{}, err
		}
		for _, r := range servers {
			if r.Name == vault {
				return refOf(r), nil
			}
		}
		return pms.ServerRef{}, fmt.Errorf("plex.tv no longer lists %s", vault)
	}
	ref, err := refetch(ctx)
	must(t, err)
	refetches = 0
	if ref.AccessToken == "" || ref.AccessToken == jwt.Value {
		t.Fatal("plex.tv lists no access token of its own for alice-vault")
	}

	t.Run("the JWT alone is refused", func(t *testing.T) {
		c := newClient(t, serverInfo(t, e, vault).URL, pms.WithToken(jwt.Value), pms.WithClientInfo(info))
		_, err := c.Library.Sections(ctx)
		if !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Fatalf("Sections with the Plex JWT = %v, want ErrUnauthorized", err)
		}
		if strings.Contains(err.Error(), jwt.Value) {
			t.Errorf("the error shows the JWT: %v", err)
		}
		// The JWT itself is good: alice-nas, which takes account tokens, accepts it.
		if _, err := newClient(t, serverInfo(t, e, nas).URL, pms.WithToken(jwt.Value)).Library.Sections(ctx); err != nil {
			t.Errorf("Sections on alice-nas with the Plex JWT = %v", err)
		}
	})

	t.Run("Connect with the JWT and a refetch switches to the resource token", func(t *testing.T) {
		before := statsFor(e, vault, "GET /library/sections")
		c, err := pms.Connect(ctx, ref, pms.WithToken(jwt.Value), pms.WithClientInfo(info), pms.WithRefetch(refetch))
		must(t, err)
		for range 2 {
			if sections, err := c.Library.Sections(ctx); err != nil || len(sections) == 0 {
				t.Fatalf("Sections = %d, %v; want the vault's sections", len(sections), err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		// One refused call, its repetition, and the second call: all after one refetch.
		if got := statsFor(e, vault, "GET /library/sections") - before; refetches != 1 || got != 3 {
			t.Errorf("refetched %d times, the server asked %d times; want 1 and 3", refetches, got)
		}
	})

	t.Run("Connect with the resource token", func(t *testing.T) {
		c, err := pms.Connect(ctx, ref, pms.WithClientInfo(info), pms.WithRefetch(refetch))
		must(t, err)
		if _, err := c.Library.Sections(ctx); err != nil {
			t.Fatalf("Sections with the resource token = %v", err)
		}
	})
}

// refOf is what pms needs of a plex.tv resource.
func refOf(r plextv.Resource) pms.ServerRef {
	ref := pms.ServerRef{Name: r.Name, MachineIdentifier: r.ClientIdentifier, AccessToken: r.AccessToken, Owned: r.Owned}
	for _, c := range r.Connections {
		ref.Connections = append(ref.Connections, pms.Connection{URI: c.URI, Protocol: c.Protocol,
			Address: c.Address, Port: c.Port, Local: c.Local, Relay: c.Relay, IPv6: c.IPv6})
	}
	return ref
}
