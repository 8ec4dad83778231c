package plextv_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
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
