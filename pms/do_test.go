package pms_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// sectionsRoot is GET /library/sections's MediaContainer, read by Do from JSON or XML.
type sectionsRoot struct {
	Size     pms.FlexInt   `json:"size" xml:"size,attr"`
	Title1   string        `json:"title1" xml:"title1,attr"`
	Sections []pms.Section `json:"Directory" xml:"Directory"`
}

// TestDoDecodesTheRoot checks that Do reads the same answer from JSON and from XML into one
// struct, and hands the body as sent to an io.Writer.
func TestDoDecodesTheRoot(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	for _, xml := range []bool{false, true} {
		var opts []pms.Option
		if xml {
			opts = append(opts, pms.WithXML())
		}
		c := clientFor(t, e, "alice", nas, opts...)
		var root sectionsRoot
		must(t, c.Do(ctx, http.MethodGet, "/library/sections", nil, nil, &root))
		if root.Size != 4 || len(root.Sections) != 4 || root.Sections[0].Title != "Movies" || root.Sections[1].Type != "show" || root.Sections[3].Type != "photo" || !bool(root.Sections[0].Filters) {
			t.Errorf("xml=%v: Do decoded %+v", xml, root)
		}
		var raw bytes.Buffer
		must(t, c.Do(ctx, http.MethodGet, "/library/sections", nil, nil, &raw))
		prefix := `{"MediaContainer"`
		if xml {
			prefix = `<?xml`
		}
		if !strings.HasPrefix(strings.TrimSpace(raw.String()), prefix) {
			t.Errorf("xml=%v: the body written starts %.40q, want %s", xml, raw.String(), prefix)
		}
	}
}

// TestDoQueryAndRefusal checks that a query goes out as given, and that a shared user's call to
// an admin operation fails with the typed error, not a decoding one.
func TestDoQueryAndRefusal(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	alice := clientFor(t, e, "alice", nas)
	var page struct {
		TotalSize pms.FlexInt `json:"totalSize" xml:"totalSize,attr"`
		Items     []pms.Item  `json:"Metadata" xml:"Video"`
	}
	must(t, alice.Do(ctx, http.MethodGet, "/library/sections/1/all", url.Values{"X-Plex-Container-Size": {"3"}}, nil, &page))
	if len(page.Items) != 3 || page.TotalSize == 0 {
		t.Errorf("a page of 3 gave %d items of %d", len(page.Items), page.TotalSize)
	}

	bob := clientFor(t, e, "bob", nas)
	var out struct{}
	err := bob.Do(ctx, http.MethodGet, "/status/sessions", nil, nil, &out)
	var pe *plexkit.Error
	if !errors.As(err, &pe) || !(errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrForbidden)) {
		t.Errorf("bob's GET /status/sessions = %v, want a *plexkit.Error 401 or 403", err)
	}
}

// TestDoRequestPath checks what Do sends: the body (again on a retry), the token in its header,
// the path's query with the query added, and nothing when its arguments are refused.
func TestDoRequestPath(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3tTokenValue1234"
	var tries atomic.Int32
	type seen struct{ method, query, body, token string }
	var last atomic.Pointer[seen]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		last.Store(&seen{r.Method, r.URL.RawQuery, string(b), r.Header.Get("X-Plex-Token")})
		if tries.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK) // an empty body, as PMS answers many writes
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, pms.WithToken(secret))
	var out struct{ Size int }
	must(t, c.Do(context.Background(), http.MethodPut, "/:/prefs?a%3E%3E=1", url.Values{"b": {"2"}}, strings.NewReader("payload"), &out))
	got := last.Load()
	if tries.Load() != 2 || got.method != http.MethodPut || got.query != "a%3E%3E=1&b=2" || got.body != "payload" || got.token != secret {
		t.Errorf("after %d tries the server saw %+v", tries.Load(), got)
	}

	before := tries.Load()
	for _, tt := range []struct {
		name, method, path string
		query              url.Values
		arg                string
	}{
		{"no method", "", "/", nil, "method"},
		{"a method with a space", "GET /x", "/", nil, "method"},
		{"a URL of its own", "GET", "http://elsewhere.example/", nil, "path"},
		{"a token in the path's query", "GET", "/?X-Plex-Token=" + secret, nil, "path"},
		{"a token in the query", "GET", "/", url.Values{"x-plex-token": {secret}}, "query"},
	} {
		err := c.Do(context.Background(), tt.method, tt.path, tt.query, nil, nil)
		var ae *pms.ArgumentError
		if !errors.As(err, &ae) || ae.Arg != tt.arg {
			t.Errorf("%s: Do = %v, want an *ArgumentError for %s", tt.name, err, tt.arg)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the token", tt.name)
		}
	}
	if tries.Load() != before {
		t.Errorf("refused arguments reached the server")
	}
}
