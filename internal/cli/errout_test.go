package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/internal/testutil"
)

func TestTermSafe(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"plain", "alice-nas\tMovies\n", "alice-nas\tMovies\n"},
		{"accents and emoji stay", "Amélie – 映画 🎬\n", "Amélie – 映画 🎬\n"},
		{"OSC title and clear screen", "\x1b]0;pwned\x07\x1b[2J", `\x1b]0;pwned\x07\x1b[2J`},
		{"carriage return and backspace", "ok\rbad\b", `ok\x0dbad\x08`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI as UTF-8", "a\u009b2Jb", `a\u009b2Jb`},
		{"invalid UTF-8 byte", "a\x9bb", `a\x9bb`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w := &termSafe{w: &buf}
			n, err := io.WriteString(w, tt.in)
			if err != nil || n != len(tt.in) {
				t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(tt.in))
			}
			if buf.String() != tt.want {
				t.Errorf("wrote %q, want %q", buf.String(), tt.want)
			}
		})
	}
	if got := escapeText("two\nlines\tand \x1b"); got != `two\nlines and \x1b` {
		t.Errorf("escapeText = %q", got)
	}
}

// hostile is what a hostile server puts in names: an OSC that retitles the terminal window, a
// BEL, and a CSI that clears the screen.
const hostile = "\x1b]0;pwned\x07\x1b[2J"

// hostileProxy stands between plexkit and an emulator (plex.tv and alice-nas) and puts control
// characters where servers control the text: alice-nas's name in /api/v2/resources, an item's
// title, and the <title> of an HTML error page (GET /library/sections/7/all answers 500 with
// one). It returns the URL to use as plex.tv. The title is that of the first seeded movie,
// "Elephants Dream" (the film python-plexapi's test library starts with, and so the emulator's).
func hostileProxy(t *testing.T, e *emulator.Emulator) string {
	t.Helper()
	var nas string
	for _, s := range e.Servers() {
		if s.Name == emulator.ServerAliceNAS {
			nas = s.URL
		}
	}
	jsonHostile, _ := json.Marshal(hostile)
	inJSON := strings.Trim(string(jsonHostile), `"`)
	proxy := func(target string, rewrite func(string) string) *httptest.Server {
		u, err := url.Parse(target)
		if err != nil {
			t.Fatal(err)
		}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.ModifyResponse = func(resp *http.Response) error {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			b = []byte(rewrite(string(b)))
			resp.Body = io.NopCloser(bytes.NewReader(b))
			resp.ContentLength = int64(len(b))
			resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
			return nil
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/library/sections/7/all", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "<html><head><title>"+hostile+" Internal Error</title></head></html>")
		})
		mux.Handle("/", rp)
		s := httptest.NewServer(mux)
		t.Cleanup(s.Close)
		return s
	}
	pmsProxy := proxy(nas, func(b string) string { return strings.ReplaceAll(b, "Elephants Dream", "Elephants "+inJSON+"Dream") })
	ptv := proxy(e.URL(), func(b string) string {
		b = strings.ReplaceAll(b, `"alice-nas"`, `"alice-`+inJSON+`nas"`)
		return strings.ReplaceAll(b, nas, pmsProxy.URL)
	})
	return ptv.URL
}

// TestHostileTextIsEscaped: control characters from a server (a server name, an item title, an
// HTML error page's <title>) never reach the terminal raw, in tables or in errors; --json keeps
// them exact.
func TestHostileTextIsEscaped(t *testing.T) {
	t.Parallel()
	e := startCLIEmulator(t)
	env := emulatorEnv(t, e)
	env[EnvPlexTVURL] = hostileProxy(t, e)
	loginAs(t, e, env, "alice")
	var nasID string
	for _, s := range e.Servers() {
		if s.Name == emulator.ServerAliceNAS {
			nasID = s.MachineIdentifier
		}
	}
	raw := func(t *testing.T, r cliResult) {
		t.Helper()
		if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") {
			t.Errorf("a control character reached the terminal:\nstdout %q\nstderr %q", r.stdout, r.stderr)
		}
	}
	for _, tty := range []bool{false, true} {
		streams, _, out, errOut := TestIO()
		streams.OutTTY, streams.ErrTTY = tty, tty
		code := Run([]string{"servers"}, streams, func(k string) string { return env[k] })
		r := cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
		raw(t, r)
		if code != 0 || !strings.Contains(r.stdout, `alice-\x1b]0;pwned\x07\x1b[2Jnas`) {
			t.Errorf("servers (tty %v): exit %d, stdout %q lacks the escaped name", tty, code, r.stdout)
		}
	}

	r := runCLIWith(t, env, false, "items", "1", "--limit", "1", "--server", nasID)
	raw(t, r)
	if r.code != 0 || !strings.Contains(r.stdout, `Elephants \x1b]0;pwned\x07\x1b[2JDream`) {
		t.Errorf("items: exit %d, stdout %q lacks the escaped title (stderr %q)", r.code, r.stdout, r.stderr)
	}

	r = runCLIWith(t, env, false, "items", "7", "--server", nasID)
	raw(t, r)
	if r.code != 1 || !strings.Contains(r.stderr, `\x1b]0;pwned\x07\x1b[2J Internal Error`) {
		t.Errorf("items of the HTML error: exit %d, stderr %q lacks the escaped <title>", r.code, r.stderr)
	}

	r = runCLIWith(t, env, false, "--json", "items", "1", "--limit", "1", "--server", nasID)
	var items []struct{ Title string }
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) != 1 {
		t.Fatalf("items --json: %v in %q", err, r.stdout)
	}
	if items[0].Title != "Elephants "+hostile+"Dream" {
		t.Errorf("--json changed the title to %q", items[0].Title)
	}
	r = runCLIWith(t, env, false, "--json", "servers")
	var servers []struct{ Name string }
	if err := json.Unmarshal([]byte(r.stdout), &servers); err != nil {
		t.Fatalf("servers --json: %v in %q", err, r.stdout)
	}
	if !strings.Contains(r.stdout, `alice-\u001b]0;pwned\u0007\u001b[2Jnas`) || servers[0].Name != "alice-"+hostile+"nas" && servers[1].Name != "alice-"+hostile+"nas" {
		t.Errorf("servers --json does not carry the exact name: %q", r.stdout)
	}
}

// TestJSONErrors: with --json, a failure is one JSON object on stderr, usage errors included.
func TestJSONErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		has  string
	}{
		{[]string{"--json", "key", "show"}, ExitFailure, "plexkit key generate"},
		{[]string{"--json", "frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{[]string{"key", "show", "--json", "--frob"}, ExitUsage, "unknown flag: --frob"},
	} {
		r := runCLI(t, nil, "", tt.args...)
		var got struct {
			Error    string `json:"error"`
			ExitCode int    `json:"exitCode"`
		}
		if err := json.Unmarshal([]byte(r.stderr), &got); err != nil {
			t.Errorf("%q: stderr is not JSON (%v): %q", tt.args, err, r.stderr)
			continue
		}
		if r.code != tt.code || got.ExitCode != tt.code || !strings.Contains(got.Error, tt.has) {
			t.Errorf("%q: exit %d, stderr %+v; want exit %d and an error with %q", tt.args, r.code, got, tt.code, tt.has)
		}
	}
}

// TestDebugAndNetworkErrors: a dead plex.tv is one line that names the URL, why and the fix;
// --debug adds each request (token redacted) and the full error.
func TestDebugAndNetworkErrors(t *testing.T) {
	t.Parallel()
	e, env := loggedInEmulator(t, "alice")

	r := runCLIWith(t, env, false, "--debug", "whoami")
	r.mustSucceed(t)
	if !strings.Contains(r.stderr, "debug: GET "+e.URL()+"/api/v2/user → 200 OK") {
		t.Errorf("--debug shows no request line: %q", r.stderr)
	}
	tok := savedToken(t, r.configDir).Value
	if strings.Contains(r.stderr, tok) {
		t.Error("--debug shows the token")
	}

	// The PIN poll carries a device JWT in its query (Plex's design): redacted in the lines.
	pinEnv := emulatorEnv(t, e)
	approvePins(t, e, "bob")
	r = runCLIWith(t, pinEnv, false, "--debug", "login").mustSucceed(t)
	if !strings.Contains(r.stderr, "?deviceJWT=REDACTED → 200 OK") || strings.Contains(r.stderr, "eyJ") {
		t.Errorf("--debug login: %q", r.stderr)
	}

	dead := testutil.ClosedURL(t)
	env[EnvPlexTVURL] = dead
	r = runCLIWith(t, env, false, "whoami")
	r.expect(t, ExitFailure, "cannot reach plex.tv at "+dead, "connection refused", "check --plextv or PLEXKIT_PLEXTV_URL")
	if strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "dial tcp") || strings.Contains(r.stderr, "plextv:") {
		t.Errorf("want one plain line without Go's wording, got %q", r.stderr)
	}
	r = runCLIWith(t, env, false, "--debug", "whoami")
	// The first request to the dead plex.tv is for its key set (the one saved was another URL's).
	r.expect(t, ExitFailure, "plexkit: detail: ", "dial tcp", "debug: GET "+dead+"/api/v2/auth/keys → ")
}

// TestLongArgumentsAreShortened: an error never echoes a huge argument back whole.
func TestLongArgumentsAreShortened(t *testing.T) {
	t.Parallel()
	huge := "/" + strings.Repeat("x", 100_000)
	r := runCLI(t, nil, "", "doctor", "--endpoint", "GET "+huge[1:])
	if r.code != ExitUsage || len(r.stderr) > 1000 || !strings.Contains(r.stderr, "bytes)") {
		t.Errorf("exit %d, %d bytes on stderr: %.300q", r.code, len(r.stderr), r.stderr)
	}
}

// TestLoginStopsWhenPlexTVDies: the emulator closed while `plexkit login` waits for the
// approval; login says it retries, then stops with the cause (long before its --timeout).
func TestLoginStopsWhenPlexTVDies(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	env := emulatorEnv(t, e)
	go func() {
		for len(pendingPins(t, e)) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		e.Close()
	}()
	r := runCLIWith(t, env, false, "login", "--timeout", "10m")
	r.expect(t, ExitFailure, "retrying", "cannot reach plex.tv at "+e.URL(), "connection refused", "PLEXKIT_PLEXTV_URL")
	if strings.Contains(r.stderr, "not approved") {
		t.Errorf("a dead plex.tv is reported as an unapproved PIN: %q", r.stderr)
	}
}

func TestCleanMessage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"auth: refresh token: plextv: refresh: POST /api/v2/auth/token: 422", "POST /api/v2/auth/token: 422"},
		{"list the account's servers: plextv: resources: 500", "list the account's servers: resources: 500"},
		{"devicekey: unknown scope \"x\"", "unknown scope \"x\""},
		{"a pms: inside a sentence stays", "a pms: inside a sentence stays"},
		{"short " + strings.Repeat("y", 400) + " end", "short " + strings.Repeat("y", 80) + "…(400 bytes) end"},
	} {
		if got := cleanMessage(tt.in); got != tt.want {
			t.Errorf("cleanMessage(%.60q) = %.120q, want %.120q", tt.in, got, tt.want)
		}
	}
}

// TestTermSafeConcurrentWrites: with --debug, request lines come from goroutines other than the
// command's (connect's probes may finish after it has moved on); every write through the
// terminal-safe writer arrives whole, and the race detector sees no race on its buffer or on
// the writer under it.
func TestTermSafeConcurrentWrites(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := &termSafe{w: &buf}
	var wg sync.WaitGroup
	const writers, lines = 8, 200
	for i := range writers {
		wg.Go(func() {
			for range lines {
				fmt.Fprintf(w, "debug: writer %d \x1b[31m → 200 OK\n", i)
			}
		})
	}
	wg.Wait()
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	for _, l := range got {
		if !strings.HasPrefix(l, "debug: writer ") || !strings.HasSuffix(l, ` \x1b[31m → 200 OK`) {
			t.Fatalf("a torn or unescaped line: %q", l)
		}
	}
}
