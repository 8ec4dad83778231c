package doctor_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/plexkit/plexkit/doctor"
)

// tokenRecorder is a RoundTripper that records which token went to which host.
type tokenRecorder struct {
	mu   sync.Mutex
	sent map[string][]string // host → tokens
}

func (r *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok := req.Header.Get("X-Plex-Token"); tok != "" {
		r.mu.Lock()
		if r.sent == nil {
			r.sent = map[string][]string{}
		}
		r.sent[req.URL.Host] = append(r.sent[req.URL.Host], tok)
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *tokenRecorder) to(host string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent[host]
}

// The attack: a host plex.tv does not list answers /identity with the machine
// identifier of the account's server (it is public) and records the tokens it receives. The
// doctor must send it none.
func TestDoctorSendsNoTokenToAnUnlistedHost(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	tok := login(t, e, c, dev.Device, "alice")
	nas := server(t, e, "alice-nas")

	var mu sync.Mutex
	var received []string
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if v := r.Header.Get("X-Plex-Token"); v != "" {
			received = append(received, v)
		}
		if v := r.URL.Query().Get("X-Plex-Token"); v != "" {
			received = append(received, v)
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"MediaContainer": map[string]any{
			"size": 0, "claimed": true, "machineIdentifier": nas.MachineIdentifier, "version": "1.41.0"}})
	}))
	t.Cleanup(hostile.Close)

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: hostile.URL}, serverTokens(t, c, tok)...)
	mu.Lock()
	got := len(received)
	mu.Unlock()
	if got != 0 {
		t.Fatalf("the unlisted host received %d tokens", got)
	}
	expect(t, rep, doctor.CheckServerAcceptsTokens, doctor.Skip, "not a connection plex.tv lists", "--token")
	expect(t, rep, doctor.CheckCall, doctor.Skip, "no token is sent there")
	var b strings.Builder
	if err := rep.WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "would be accepted") {
		t.Errorf("the verdict claims acceptance of a call that was not made:\n%s", b.String())
	}

	// Passed explicitly, the token goes where the person sends it.
	diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Pasted: true, Server: hostile.URL}, serverTokens(t, c, tok)...)
	mu.Lock()
	defer mu.Unlock()
	if len(received) == 0 || received[0] != tok {
		t.Fatal("a token passed with --token did not reach the URL it was passed for")
	}
}

// A friend's server gets only its own access token from plex.tv, never the account's token,
// whose receiver could act as the account everywhere.
func TestDoctorSendsOnlyTheServerTokenToASharedServer(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	tok := login(t, e, c, dev.Device, "bob") // alice-nas is shared with bob
	rec := &tokenRecorder{}
	nas := server(t, e, "alice-nas")
	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", HTTPClient: &http.Client{Transport: rec}}, serverTokens(t, c, tok)...)
	host := strings.TrimPrefix(nas.URL, "http://")
	sent := rec.to(host)
	if len(sent) == 0 {
		t.Fatalf("no token went to %s at all: the test does not test the shared server\n%v", host, rep.Findings)
	}
	for _, s := range sent {
		if s == tok {
			t.Fatalf("the account's token went to %s, a server bob does not own", host)
		}
	}
	expect(t, rep, doctor.CheckServerAcceptsTokens, doctor.Pass, "its own accessToken", "not sent to a server the account does not own")
}

// The owner's own server, at a connection plex.tv lists, still gets the account token.
func TestDoctorSendsTheAccountTokenToAnOwnedListedServer(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	tok := login(t, e, c, dev.Device, "alice")
	rec := &tokenRecorder{}
	nas := server(t, e, "alice-nas")
	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", HTTPClient: &http.Client{Transport: rec}}, serverTokens(t, c, tok)...)
	expect(t, rep, doctor.CheckServerAcceptsTokens, doctor.Pass, "accepts the account's")
	found := false
	for _, s := range rec.to(strings.TrimPrefix(nas.URL, "http://")) {
		found = found || s == tok
	}
	if !found {
		t.Fatal("the account token was not tried on the owner's listed server")
	}
}
