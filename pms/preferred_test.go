package pms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/internal/testutil"
	"github.com/plexkit/plexkit/pms"
)

// TestConnectPreferred: alice-nas lists three connections that accept TCP and never answer, one
// of them https (ranked above the live http one). With an hour of race grace and of connect
// timeout, a Connect would wait an hour for the https one; given the live connection as
// preferred (the previous client's BaseURL), Connect takes it as soon as it answers. Without
// the preference this test would not end.
func TestConnectPreferred(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", nas)
	live := serverInfo(t, e, nas).URL
	slow := []pms.Option{pms.WithRaceGrace(time.Hour), pms.WithConnectTimeout(time.Hour)}

	c, err := pms.Connect(context.Background(), ref, append(slow, pms.WithPreferredConnection(live))...)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != live {
		t.Fatalf("connected to %s, want the preferred %s", c.BaseURL(), live)
	}
}

// TestConnectPreferredDead: a preferred connection that no longer answers (or is no longer
// listed) costs the race nothing but its own failure: the others are raced and one wins.
func TestConnectPreferredDead(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", nas)
	live := serverInfo(t, e, nas).URL
	closed := testutil.ClosedURL(t)
	withClosed := ref
	withClosed.Connections = append(append([]pms.Connection(nil), ref.Connections...), pms.Connection{URI: closed, Local: true})
	for name, tc := range map[string]struct {
		ref       pms.ServerRef
		preferred string
	}{
		"listed but refusing": {withClosed, closed},
		"not listed":          {ref, "http://192.0.2.1:32400"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := pms.Connect(context.Background(), tc.ref, pms.WithRaceGrace(0), pms.WithPreferredConnection(tc.preferred))
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL() != live {
				t.Errorf("connected to %s, want %s", c.BaseURL(), live)
			}
		})
	}
}

// TestConnectPreferredOnlyCanceled: when the context ends during the preferred connection's head
// start, the others are reported as not tried.
func TestConnectPreferredOnlyCanceled(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", nas)
	var dead string
	for _, cn := range ref.Connections {
		if cn.URI != serverInfo(t, e, nas).URL {
			dead = cn.URI
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := pms.Connect(ctx, ref, pms.WithPreferredConnection(dead))
	var ce *pms.ConnectError
	if !errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a *ConnectError with the deadline", err)
	}
}
