package pmsemu

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testAuthorizer answers for the tokens of the test accounts: it is this test's plex.tv, a
// table of test data.
type testAuthorizer map[string]struct {
	caller Caller
	result AuthResult
}

func (a testAuthorizer) Authorize(machineIdentifier, token string) (Caller, AuthResult) {
	if machineIdentifier != testMachineID {
		return Caller{}, AuthUnauthorized
	}
	e, ok := a[token]
	if !ok {
		return Caller{}, AuthUnauthorized
	}
	return e.caller, e.result
}

const (
	testMachineID = "0123456789abcdef0123456789abcdef01234567"

	ownerToken    = "owner-token"
	friendToken   = "friend-token"
	managedToken  = "managed-token"
	expiredToken  = "expired-jwt"
	strangerToken = "stranger-token"

	ownerID, friendID, managedID, strangerID = 1001, 2002, 3003, 4004
)

var (
	owner   = Caller{AccountID: ownerID, UUID: "u-owner", Username: "alice", Role: RoleAdmin}
	friend  = Caller{AccountID: friendID, UUID: "u-friend", Username: "bob", Role: RoleShared, Sections: []string{"1", "2"}}
	managed = Caller{AccountID: managedID, UUID: "u-kid", Username: "kid", Role: RoleShared, Managed: true, Sections: []string{"3"}}
)

func testAuth() testAuthorizer {
	return testAuthorizer{
		ownerToken:    {owner, AuthOK},
		friendToken:   {friend, AuthOK},
		managedToken:  {managed, AuthOK},
		expiredToken:  {Caller{}, AuthExpired},
		strangerToken: {Caller{AccountID: strangerID, Role: RoleNone}, AuthOK},
	}
}

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const hugeSize = 1_000_000

func testConfig(clk *clock) Config {
	return Config{
		MachineIdentifier: testMachineID,
		Name:              "emulated-nas",
		OwnerAccountID:    ownerID,
		Accounts: []Account{
			{ID: ownerID, UUID: "u-owner", Username: "alice", Thumb: "https://plex.tv/users/alice/avatar"},
			{ID: friendID, UUID: "u-friend", Username: "bob"},
			{ID: managedID, UUID: "u-kid", Username: "kid"},
		},
		Sections: []SectionConfig{
			{Key: "1", Type: "movie", Title: "Movies", Size: 2500},
			{Key: "2", Type: "show", Title: "TV Shows", Size: 40},
			{Key: "3", Type: "artist", Title: "Music", Size: 30},
			{Key: "4", Type: "photo", Title: "Photos", Size: 12},
			{Key: "5", Type: "movie", Title: "Archive", Size: hugeSize},
		},
		Sessions: []SessionConfig{
			{AccountID: ownerID, Section: "1", Index: 5, State: "playing"},
			{AccountID: friendID, Section: "2", Index: 3, State: "paused"},
			{AccountID: managedID, Section: "3", Index: 1},
			{AccountID: friendID, Section: "9", Index: 0}, // no such section: dropped
		},
		History: []HistoryConfig{
			{AccountID: ownerID, Section: "1", Index: 1, ViewedAt: epoch.Add(-5 * time.Hour)},
			{AccountID: friendID, Section: "2", Index: 3, ViewedAt: epoch.Add(-4 * time.Hour)},
			{AccountID: ownerID, Section: "5", Index: 999_999, ViewedAt: epoch.Add(-3 * time.Hour)},
			{AccountID: friendID, Section: "1", Index: 7, ViewedAt: epoch.Add(-2 * time.Hour)},
			{AccountID: managedID, Section: "3", Index: 2, ViewedAt: epoch.Add(-1 * time.Hour)},
			{AccountID: friendID, Section: "2", Index: 4, ViewedAt: epoch.Add(-6 * time.Hour)},
			{AccountID: ownerID, Section: "1", Index: 2500, ViewedAt: epoch}, // out of range: dropped
		},
		Now: clk.Now,
	}
}

// fixture is one emulated server on a loopback listener.
type fixture struct {
	srv   *Server
	http  *httptest.Server
	clock *clock
}

func newFixture(t testing.TB, edit func(*Config)) *fixture {
	t.Helper()
	clk := &clock{t: epoch}
	cfg := testConfig(clk)
	if edit != nil {
		edit(&cfg)
	}
	srv := New(cfg, testAuth())
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &fixture{srv: srv, http: hs, clock: clk}
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   string
}

// req describes a request to a fixture.
type req struct {
	method, path, token string
	json                bool
	header              map[string]string
	// stream: the answer is an endless stream (notifications); only its status and header are
	// read.
	stream bool
}

func (f *fixture) do(t testing.TB, r req) response {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequest(method, f.http.URL+r.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.token != "" {
		hr.Header.Set("X-Plex-Token", r.token)
	}
	if r.json {
		hr.Header.Set("Accept", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := f.http.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if r.stream {
		return response{resp.StatusCode, resp.Header, ""}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(body)}
}

// instantiate turns a spec path template into a concrete path: parameters become "1", which no
// literal segment of the spec equals, so the path routes back to the template.
func instantiate(template string) string {
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		switch template[i] {
		case '{':
			i += strings.IndexByte(template[i:], '}')
			b.WriteByte('1')
		case '*':
			b.WriteByte('1')
		default:
			b.WriteByte(template[i])
		}
	}
	return b.String()
}

// discard is a ResponseWriter that keeps the status and drops the body, so benchmarks measure
// the server rather than a buffer.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}

func (d *discard) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}

func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(p)
	return len(p), nil
}

// title is the title of item index of any section.
func title(index int) string { return string(appendTitle(nil, index)) }

// firstLeaf is the rating key of the first episode (or track) of top-level item i of the
// section at position pos (from 1).
func firstLeaf(pos, i int) int { return gref{sec: &Section{pos: pos - 1}, level: 2, i: i}.ratingKey() }
