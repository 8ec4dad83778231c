package pms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// The end-to-end tests run the client against the emulator's servers, on loopback. Server
// references come from the emulator's plex.tv (GET /api/v2/resources) by a plain HTTP call:
// the plextv client is tested on its own, and this package must not depend on it (only
// jwt_test.go uses plextv, to log in for a real Plex JWT).

const (
	nas   = emulator.ServerAliceNAS
	vault = emulator.ServerAliceVault
)

// startEmulator starts an emulator that is closed when the test ends.
func startEmulator(tb testing.TB, opts emulator.Options) *emulator.Emulator {
	tb.Helper()
	e := emulator.New(opts)
	if err := e.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

// resource is the part of a plex.tv resource that a ServerRef needs.
type resource struct {
	Name             string `json:"name"`
	ClientIdentifier string `json:"clientIdentifier"`
	AccessToken      string `json:"accessToken"`
	Owned            bool   `json:"owned"`
	Connections      []struct {
		Protocol string `json:"protocol"`
		Address  string `json:"address"`
		Port     int    `json:"port"`
		URI      string `json:"uri"`
		Local    bool   `json:"local"`
		Relay    bool   `json:"relay"`
		IPv6     bool   `json:"IPv6"`
	} `json:"connections"`
}

// fetchRefs returns the servers user can reach, by name, as plex.tv lists them with every kind
// of connection.
func fetchRefs(e *emulator.Emulator, user string) (map[string]pms.ServerRef, error) {
	req, err := http.NewRequest(http.MethodGet, e.URL()+"/api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Plex-Token", e.LegacyToken(user))
	req.Header.Set("X-Plex-Client-Identifier", "plexkit-pms-test")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := plexkit.CheckResponse(resp); err != nil {
		return nil, err
	}
	var list []resource
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	refs := map[string]pms.ServerRef{}
	for _, r := range list {
		ref := pms.ServerRef{Name: r.Name, MachineIdentifier: r.ClientIdentifier, AccessToken: r.AccessToken, Owned: r.Owned}
		for _, c := range r.Connections {
			ref.Connections = append(ref.Connections, pms.Connection{
				URI: c.URI, Protocol: c.Protocol, Address: c.Address, Port: c.Port,
				Local: c.Local, Relay: c.Relay, IPv6: c.IPv6,
			})
		}
		refs[r.Name] = ref
	}
	return refs, nil
}

// serverRef returns the reference plex.tv gives user for the named server.
func serverRef(tb testing.TB, e *emulator.Emulator, user, server string) pms.ServerRef {
	tb.Helper()
	refs, err := fetchRefs(e, user)
	if err != nil {
		tb.Fatal(err)
	}
	ref, ok := refs[server]
	if !ok {
		tb.Fatalf("plex.tv lists no server %q for %s", server, user)
	}
	return ref
}

// accessToken returns the token plex.tv gives user for the named server.
func accessToken(tb testing.TB, e *emulator.Emulator, user, server string) string {
	tb.Helper()
	return serverRef(tb, e, user, server).AccessToken
}

// serverInfo returns the emulator's description of the named server.
func serverInfo(tb testing.TB, e *emulator.Emulator, name string) emulator.ServerInfo {
	tb.Helper()
	for _, s := range e.Servers() {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("the emulator has no server %q", name)
	return emulator.ServerInfo{}
}

// userID returns the plex.tv account id of the named user.
func userID(tb testing.TB, e *emulator.Emulator, name string) int {
	tb.Helper()
	for _, u := range e.Users() {
		if u.Username == name {
			return u.ID
		}
	}
	tb.Fatalf("the emulator has no user %q", name)
	return 0
}

// fastRetry retries quickly, so tests of retries take milliseconds.
var fastRetry = pms.WithRetry(plexkit.RetryTransport{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

// newClient returns a client for baseURL, failing the test on error.
func newClient(tb testing.TB, baseURL string, opts ...pms.Option) *pms.Client {
	tb.Helper()
	c, err := pms.NewClient(baseURL, append([]pms.Option{fastRetry}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// clientFor returns a client for user on the named server with the token plex.tv lists.
func clientFor(tb testing.TB, e *emulator.Emulator, user, server string, opts ...pms.Option) *pms.Client {
	tb.Helper()
	return newClient(tb, serverInfo(tb, e, server).URL, append([]pms.Option{pms.WithToken(accessToken(tb, e, user, server))}, opts...)...)
}

// collectItems drains an iterator, failing the test on error.
func collectItems[T any](tb testing.TB, seq func(func(T, error) bool)) []T {
	tb.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			tb.Fatalf("iteration failed after %d elements: %v", len(out), err)
		}
		out = append(out, v)
	}
	return out
}

// itemAt is the item at position start of section key on c.
func itemAt(tb testing.TB, c *pms.Client, section string, start int) pms.Item {
	tb.Helper()
	items := collectItems(tb, c.Library.Items(context.Background(), section, pms.ItemsOptions{Start: start, Limit: 1}))
	if len(items) == 0 {
		tb.Fatalf("section %s has no item at %d", section, start)
	}
	return items[0]
}

// must fails the test on err.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// statsFor returns the emulator's request count for a PMS endpoint of server.
func statsFor(e *emulator.Emulator, server, methodPath string) int {
	return e.Stats()[fmt.Sprintf("pms:%s %s", server, methodPath)]
}

// ratingKeyInt parses a numeric rating key.
func ratingKeyInt(tb testing.TB, k pms.FlexString) int {
	tb.Helper()
	n, err := strconv.Atoi(string(k))
	if err != nil {
		tb.Fatalf("rating key %q is not a number", k)
	}
	return n
}
