package pms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
// one. Each probe may wait an hour — the transport has no TLS handshake timeout either, which
// would end the dead https probes after 10 s — and Connect has 30 seconds: a Connect that
// waited for a dead connection would fail with a deadline error instead of returning the live
// one.
func TestConnectRacesConnections(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSHandshakeTimeout = 0
	patient := pms.WithHTTPClient(&http.Client{Transport: transport})
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
			if len(ref.Connections) != 5 {
				t.Fatalf("plex.tv lists %d connections, want 5", len(ref.Connections))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := pms.Connect(ctx, ref, append([]pms.Option{fastRetry, patient, pms.WithConnectTimeout(time.Hour)}, tt.opts...)...)
			if err != nil {
				t.Fatalf("Connect = %v, want the live connection without waiting for the dead ones", err)
			}
			live := serverInfo(t, e, tt.server)
			if c.BaseURL() != live.URL && c.BaseURL() != live.RemoteURL || c.MachineIdentifier() != live.MachineIdentifier {
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

// TestServerRefHidesTokenInJSONAndLogs checks the machine-readable forms: json.Marshal and a
// slog JSON handler, directly and nested in a struct.
func TestServerRefHidesTokenInJSONAndLogs(t *testing.T) {
	t.Parallel()
	ref := pms.ServerRef{Name: "nas", MachineIdentifier: "abc", AccessToken: "SrvTokenXXXXXXXXXXXX", Owned: true, Connections: make([]pms.Connection, 2)}
	b, err := json.Marshal(struct{ Ref pms.ServerRef }{ref})
	must(t, err)
	if strings.Contains(string(b), ref.AccessToken) || !strings.Contains(string(b), `"MachineIdentifier":"abc"`) {
		t.Errorf("json.Marshal = %s", b)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("connecting", "server", ref)
	log.Info("connecting", slog.Any("ptr", &ref))
	if out := buf.String(); strings.Contains(out, ref.AccessToken) || !strings.Contains(out, `"machineIdentifier":"abc"`) || !strings.Contains(out, `"hasAccessToken":true`) {
		t.Errorf("slog JSON output = %s", out)
	}
}

// TestConnectRanking races connections to the same server that differ only in how they are
// flagged: https proxies (answering later, after a TLS handshake) and the plain http server. With
// a long grace, the best-ranked one wins: https before http, then local, remote, relay.
func TestConnectRanking(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ref := serverRef(t, e, "alice", nas)
	live, _ := url.Parse(serverInfo(t, e, nas).URL)
	tlsProxy := func() string {
		srv := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(live))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	httpLocal := pms.Connection{URI: live.String(), Protocol: "http", Local: true}
	httpsRelay := pms.Connection{URI: tlsProxy(), Protocol: "https", Relay: true}
	httpsRemote := pms.Connection{URI: tlsProxy(), Protocol: "https"}
	httpsLocal := pms.Connection{URI: tlsProxy(), Protocol: "https", Local: true}
	hc := httptest.NewTLSServer(nil) // its client trusts every httptest TLS server
	t.Cleanup(hc.Close)
	for _, tt := range []struct {
		name  string
		conns []pms.Connection
		want  pms.Connection
	}{
		{"an https relay before plain http local", []pms.Connection{httpLocal, httpsRelay}, httpsRelay},
		{"https remote before https relay", []pms.Connection{httpsRelay, httpsRemote, httpLocal}, httpsRemote},
		{"https local before remote and relay", []pms.Connection{httpsRelay, httpsRemote, httpLocal, httpsLocal}, httpsLocal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := ref
			r.Connections = tt.conns
			c, err := pms.Connect(context.Background(), r, pms.WithHTTPClient(hc.Client()), pms.WithRaceGrace(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL() != tt.want.URI {
				t.Errorf("connected to %s, want %s", c.BaseURL(), tt.want.URI)
			}
		})
	}
}
