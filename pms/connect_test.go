package pms_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestConnectRacesConnections connects to servers whose plex.tv resources list three dead
// connections (accepting TCP, never answering; one listed before the live one) besides the live
// one.
func TestConnectRacesConnections(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	for _, tt := range []struct {
		user, server string
		opts         []pms.Option
	}{
		{"alice", nas, nil},
		{"alice", vault, nil},
		{"bob", nas, []pms.Option{pms.WithXML()}},
		{"alice", nas, []pms.Option{pms.WithRaceGrace(0)}},
	} {
		t.Run(fmt.Sprintf("%s on %s %d", tt.user, tt.server, len(tt.opts)), func(t *testing.T) {
			t.Parallel()
			ref := serverRef(t, e, tt.user, tt.server)
			if len(ref.Connections) != 4 {
				t.Fatalf("plex.tv lists %d connections, want 4", len(ref.Connections))
			}
			c, err := pms.Connect(ctx, ref, append([]pms.Option{fastRetry}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			live := serverInfo(t, e, tt.server)
			if c.BaseURL() != live.URL || c.MachineIdentifier() != live.MachineIdentifier {
				t.Errorf("connected to %s (%s), want the live %s (%s)", c.BaseURL(), c.MachineIdentifier(), live.URL, live.MachineIdentifier)
			}
			// The client uses the reference's access token.
			if sections, err := c.Library.Sections(ctx); err != nil || len(sections) == 0 {
				t.Errorf("Sections after Connect = %d, %v", len(sections), err)
			}
		})
	}
}

// TestConnectRejectsAnotherServer lists, for alice-nas, a connection where alice-vault
// answers: it must be rejected, and must never receive the token.
func TestConnectRejectsAnotherServer(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	ref := serverRef(t, e, "alice", nas)
	vaultURL, nasURL := serverInfo(t, e, vault).URL, serverInfo(t, e, nas).URL
	wrong := pms.Connection{URI: vaultURL, Protocol: "http", Local: true}

	t.Run("with the right one too", func(t *testing.T) {
		r := ref
		r.Connections = []pms.Connection{wrong, {URI: nasURL, Protocol: "http", Local: false}}
		c, err := pms.Connect(ctx, r, pms.WithRaceGrace(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if c.BaseURL() != nasURL {
			t.Errorf("connected to %s, want %s", c.BaseURL(), nasURL)
		}
	})
	t.Run("alone", func(t *testing.T) {
		r := ref
		r.Connections = []pms.Connection{wrong}
		_, err := pms.Connect(ctx, r)
		var ce *pms.ConnectError
		if !errors.As(err, &ce) || !errors.Is(err, pms.ErrWrongServer) || !strings.Contains(err.Error(), serverInfo(t, e, vault).MachineIdentifier) {
			t.Fatalf("Connect = %v, want a *ConnectError naming the other server", err)
		}
	})
	for key, n := range e.Stats() {
		if strings.HasPrefix(key, "pms:"+vault) && key != "pms:"+vault+" GET /identity" {
			t.Errorf("alice-vault received %d × %s: only /identity may be asked of an unverified server", n, key)
		}
	}
}

func TestConnectFailures(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", nas)
	dead := ref.Connections[0] // listed first, dead: accepts TCP and never answers
	if dead.URI == serverInfo(t, e, nas).URL {
		t.Fatal("the first connection is the live one; the seed changed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	refusedAddr := ln.Addr().(*net.TCPAddr)
	must(t, ln.Close())
	refused := pms.Connection{Protocol: "http", Address: "127.0.0.1", Port: refusedAddr.Port}

	t.Run("every connection fails", func(t *testing.T) {
		t.Parallel()
		r := ref
		r.Connections = []pms.Connection{dead, refused, {URI: "http://[::1", Relay: true}, {Local: true}, {Address: "::1", Port: refusedAddr.Port}}
		_, err := pms.Connect(context.Background(), r, pms.WithConnectTimeout(300*time.Millisecond))
		var ce *pms.ConnectError
		if !errors.As(err, &ce) {
			t.Fatalf("Connect = %v, want a *ConnectError", err)
		}
		t.Log(err)
		want := []struct{ uri, kind, reason string }{
			{dead.URI, "local", "no answer within 300ms"},
			{fmt.Sprintf("http://127.0.0.1:%d", refusedAddr.Port), "remote", "refused"},
			{"http://[::1", "relay", "not a URL"},
			{"(no address)", "local", "neither a URI nor an address"},
			{fmt.Sprintf("http://[::1]:%d", refusedAddr.Port), "remote", ""},
		}
		if len(ce.Attempts) != len(want) {
			t.Fatalf("%d attempts, want %d: %v", len(ce.Attempts), len(want), err)
		}
		for i, w := range want {
			a := ce.Attempts[i]
			if a.URI != w.uri || a.Kind != w.kind || !strings.Contains(a.Err.Error(), w.reason) {
				t.Errorf("attempt %d = %s (%s): %v; want %s (%s): …%s…", i, a.URI, a.Kind, a.Err, w.uri, w.kind, w.reason)
			}
			if !strings.Contains(err.Error(), a.URI) {
				t.Errorf("the error does not name %s: %v", a.URI, err)
			}
		}
		if strings.Contains(err.Error(), ref.AccessToken) {
			t.Errorf("the error shows the token: %v", err)
		}
	})

	t.Run("the context ends first", func(t *testing.T) {
		t.Parallel()
		r := ref
		r.Connections = []pms.Connection{dead}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := pms.Connect(ctx, r)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Connect = %v, want a deadline error", err)
		}
	})

	t.Run("bad references", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			name string
			ref  pms.ServerRef
			arg  string
		}{
			{"no machine identifier", pms.ServerRef{Name: "x", Connections: ref.Connections}, "ref"},
			{"token with a newline", pms.ServerRef{MachineIdentifier: "m", AccessToken: "abc\n"}, "ref.AccessToken"},
		} {
			var ae *pms.ArgumentError
			if _, err := pms.Connect(context.Background(), tt.ref); !errors.As(err, &ae) || ae.Arg != tt.arg {
				t.Errorf("%s: Connect = %v, want an *ArgumentError for %s", tt.name, err, tt.arg)
			}
		}
		_, err := pms.Connect(context.Background(), pms.ServerRef{Name: "empty", MachineIdentifier: "m"})
		var ce *pms.ConnectError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "lists no connections") {
			t.Errorf("Connect without connections = %v", err)
		}
	})
}

// TestConnectPrefersHTTPS races the live http connection against an https one to the same
// server: within the grace period the https one wins, though it answers later (TLS).
func TestConnectPrefersHTTPS(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", nas)
	live, _ := url.Parse(serverInfo(t, e, nas).URL)
	tlsProxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(live))
	t.Cleanup(tlsProxy.Close)
	ref.Connections = []pms.Connection{
		{URI: live.String(), Protocol: "http", Local: true},
		{URI: tlsProxy.URL, Protocol: "https", Local: false},
	}
	c, err := pms.Connect(context.Background(), ref, pms.WithHTTPClient(tlsProxy.Client()), pms.WithRaceGrace(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != tlsProxy.URL {
		t.Fatalf("connected to %s, want the https connection %s", c.BaseURL(), tlsProxy.URL)
	}
	if _, err := c.Library.Sections(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestConnectTokenPrecedence(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", vault)
	good := ref.AccessToken
	ref.AccessToken = accessToken(t, e, "alice", nas) // refused by vault
	c, err := pms.Connect(context.Background(), ref, pms.WithToken(good))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Library.Sections(context.Background()); err != nil {
		t.Fatalf("Sections with WithToken's token: %v", err)
	}
}

func TestServerRefHidesToken(t *testing.T) {
	t.Parallel()
	ref := pms.ServerRef{Name: "nas", MachineIdentifier: "abc", AccessToken: "SrvTokenXXXXXXXXXXXX", Connections: make([]pms.Connection, 2)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, ref)
		if strings.Contains(got, ref.AccessToken) || !strings.Contains(got, "nas") {
			t.Errorf("Sprintf(%s) = %q", verb, got)
		}
	}
}
