package pms_test

import (
	"context"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/pms"
)

// TestNotificationsRenewExpiredJWT streams with the account's own Plex JWT (a refreshing
// source, as a program that signs in with plexkit has): when the server answers 498 (token
// expired) the stream gets a new JWT from plex.tv and connects at once, without an error
// reaching the consumer; after the clock moves past the JWT's life, the reconnection after a
// drop presents a fresh one.
func TestNotificationsRenewExpiredJWT(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	dev, err := devicekey.CreateDevice(dir)
	must(t, err)
	tv, err := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)), plextv.WithClock(e.Now))
	must(t, err)
	_, err = plextv.Login(ctx, tv, dev, plextv.LoginOptions{
		OnPin:        func(pin *plextv.Pin, _ string) { _ = e.ClaimPin(pin.Code, "alice") },
		PollInterval: 5 * time.Millisecond,
	})
	must(t, err)
	src, err := plextv.TokenSource(ctx, tv, dev, nil, plextv.SourceOptions{})
	must(t, err)
	if _, err := src.Token(ctx); err != nil { // the source's first token
		t.Fatal(err)
	}
	c := newClient(t, serverInfo(t, e, nas).URL, pms.WithTokenSource(src))

	exchanges := func() int { return e.Stats()["POST /api/v2/auth/token"] }
	e.SetFault("pms:"+nas+" GET /:/websockets/notifications", emulator.Fault{Status: plexkit.StatusTokenExpired, Count: 1})
	before := exchanges()
	l := listen(t, c, pms.NotificationOptions{})
	l.next(t, pms.TypeConnected)
	if got := exchanges(); got != before+1 || l.errs.Load() != 0 {
		t.Errorf("after a 498: %d exchanges (want 1), %d errors (want 0)", got-before, l.errs.Load())
	}
	e.Advance(8 * 24 * time.Hour)
	before = exchanges()
	_, err = e.DropNotifications(nas)
	must(t, err)
	if n := l.next(t, pms.TypeConnected); !n.Stream.Resumed {
		t.Errorf("reconnection not marked resumed")
	}
	if got := exchanges(); got != before+1 {
		t.Errorf("%d exchanges for a reconnection with an expired JWT, want 1", got-before)
	}
	tok, err := src.Token(ctx)
	must(t, err)
	if !tok.Valid(e.Now()) || auth.KindOf(tok.Value) != auth.KindPlexJWT {
		t.Errorf("the source holds an invalid token after the reconnection")
	}
}
