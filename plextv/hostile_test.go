package plextv_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// hostilePlexTV returns a client of a "plex.tv" that answers every request with h.
func hostilePlexTV(t *testing.T, h http.HandlerFunc) *plextv.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := plextv.NewClient(plextv.WithBaseURL(srv.URL),
		plextv.WithClientInfo(plexkit.ClientInfo{ClientIdentifier: "hostile-test", Product: "plexkit-test"}),
		plextv.WithTokenSource(auth.StaticTokenSource(&auth.Token{Value: "hostile-test-token", Kind: auth.KindLegacy})))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// endless is a body that begins with head and then repeats unit forever.
type endless struct {
	head, unit []byte
	off        int
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for n < len(p) {
		c := copy(p[n:], e.unit[e.off:])
		e.off = (e.off + c) % len(e.unit)
		n += c
	}
	return n, nil
}

func answer(head, unit string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if unit == "" {
			_, _ = io.WriteString(w, head)
			return
		}
		_, _ = io.Copy(w, &endless{head: []byte(head), unit: []byte(unit)})
	}
}

// A body of the wrong shape is an error naming the endpoint: null is not an empty user, and an
// object is not a list of servers.
func TestMalformedPlexTVAnswers(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{`null`, `[]`, `"x"`, ` 7`, ``} {
		u, err := hostilePlexTV(t, answer(body, "")).Users.Me(ctx, "")
		if err == nil || !strings.Contains(err.Error(), "/api/v2/user") {
			t.Errorf("user %q: %+v, err = %v; want an error naming the endpoint", body, u, err)
		}
	}
	for _, body := range []string{`null`, `{}`, `{"servers":[]}`} {
		got, err := hostilePlexTV(t, answer(body, "")).Resources.Servers(ctx)
		if err == nil || !strings.Contains(err.Error(), "/api/v2/resources") {
			t.Errorf("resources %q: %v, err = %v; want an error naming the endpoint", body, got, err)
		}
	}
}

// Endless and deeply nested answers end in an error, within the bounds.
func TestHostilePlexTVAnswersAreBounded(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ head, unit, want string }{
		{`[`, `{"name":"x","provides":"server"},`, "more than 20000 objects and arrays"},
		{`[`, `[`, "nests deeper than 32 levels"},
		{`[{"name":"`, `a`, "longer than 1048576 bytes"},
		{`[{"connections":[`, `{},`, "element of more than 10000 objects and arrays"},
		{`[`, ` `, "larger than 16777216 bytes"},
	}
	for _, tc := range cases {
		got, err := hostilePlexTV(t, answer(tc.head, tc.unit)).Resources.List(ctx)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s%s…: %d resources, err = %v; want %q", tc.head, tc.unit, len(got), err, tc.want)
		}
	}
}

// Headers, then one byte every 20 ms: Users.Me must end with the cause, not hang.
func TestHostileSlowPlexTV(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &plexkit.BodyTimeoutTransport{Idle: 300 * time.Millisecond, MinRate: 1000}}
	c, err := plextv.NewClient(plextv.WithBaseURL(srv.URL), plextv.WithHTTPClient(hc),
		plextv.WithClientInfo(plexkit.ClientInfo{ClientIdentifier: "hostile-test", Product: "plexkit-test"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a backstop only
	defer cancel()
	_, err = c.Users.Me(ctx, "hostile-test-token")
	var slow *plexkit.SlowBodyError
	if !errors.As(err, &slow) || !strings.Contains(err.Error(), "/api/v2/user") {
		t.Fatalf("err = %v; want a *plexkit.SlowBodyError naming the endpoint", err)
	}
}

// The key set kept between runs is used by a new verifier without a request, only for the
// plex.tv it was fetched from, and only from a file others cannot change.
func TestKeyFile(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	withFile := func(url string) plextv.Option {
		return plextv.WithVerifierOptions(plextv.VerifierOptions{Store: &plextv.KeyFile{Path: path, URL: url}})
	}
	c := newClient(t, e, dev, withFile(e.URL()))
	tok := login(t, e, c, dev, "alice") // fetches and saves the set
	expect := plextv.Expect{ClientIdentifier: dev.ClientIdentifier, Thumbprint: dev.Key.KID()}
	ctx := context.Background()

	before := e.Stats()
	if _, err := newClient(t, e, dev, withFile(e.URL())).Verifier().Verify(ctx, tok.Value, expect); err != nil {
		t.Fatal(err)
	}
	if d := delta(before, e.Stats()); len(d) != 0 {
		t.Fatalf("a new verifier with the kept set made %v", d)
	}
	before = e.Stats()
	if _, err := newClient(t, e, dev, withFile("https://another.example")).Verifier().Verify(ctx, tok.Value, expect); err != nil {
		t.Fatal(err)
	}
	if d := delta(before, e.Stats()); d["GET /api/v2/auth/keys"] != 1 {
		t.Fatalf("the set of another plex.tv was used: %v", d)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	before = e.Stats()
	if _, err := newClient(t, e, dev, withFile(e.URL())).Verifier().Verify(ctx, tok.Value, expect); err != nil {
		t.Fatal(err)
	}
	if d := delta(before, e.Stats()); d["GET /api/v2/auth/keys"] != 1 {
		t.Fatalf("a set in a directory others can write to was used: %v", d)
	}
}
