package cli

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// jwtLike matches a whole compact JWS: header, payload and signature. The demo may show a
// token's first characters, never all three parts.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

func TestDemo(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "demo")
	r.mustSucceed(t)
	out := r.stdout
	for _, want := range []string{
		" 1. Start the emulator",
		" 2. Make a device key",
		" 3. Create a PIN that carries the public key",
		" 4. Approve the PIN as alice",
		"→ alice approved code ",
		" 5. Exchange the approved PIN for a Plex JWT",
		" 6. Verify the Plex JWT",
		"= this device's kid",
		"→ user alice (id ",
		" 7. List alice's servers",
		"→ alice-nas (owned: alice is its admin)",
		" 8. Sessions on alice-nas",
		"→ alice: ",
		" 9. bob asks for the same sessions",
		"→ his servers: alice-nas, shared with him by alice",
		"→ GET /status/sessions → 401 Unauthorized",
		"10. The doctor explains the refusal",
		"✗ role: GET /status/sessions",
		"needs the admin role",
		"11. Six days later: the token refreshes itself",
		"→ GET /api/v2/auth/nonce: 1\n",
		"→ POST /api/v2/auth/token: 1\n",
		"→ the refresh took 2 requests; then the call itself: GET /api/v2/resources: 1\n",
		"\nDone in ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q\n%s", want, out)
		}
	}
	if m := jwtLike.FindString(out + r.stderr); m != "" {
		t.Errorf("the demo printed a whole token (%d characters)", len(m))
	}
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing", r.stderr)
	}
	dir := regexp.MustCompile(`→ saved in (\S+) \(the demo removes it at the end\)`).FindStringSubmatch(out)
	if dir == nil {
		t.Fatalf("the demo does not say where it works:\n%s", out)
	}
	if _, err := os.Stat(dir[1]); !os.IsNotExist(err) {
		t.Errorf("the demo's directory %s is still there (stat: %v)", dir[1], err)
	}
	if _, err := os.Stat(r.configDir); !os.IsNotExist(err) {
		t.Errorf("the demo touched the config directory %s (stat: %v)", r.configDir, err)
	}
}

func TestDemoJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "demo", "--json")
	r.mustSucceed(t)
	var sum demoSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("stdout is not the JSON summary: %v\n%s", err, r.stdout)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"user", sum.User, "alice"},
		{"servers", strings.Join(sum.Servers, ","), "alice-nas,alice-vault"},
		{"sessions", sum.Sessions, 2},
		{"friend status", sum.FriendStatus, 401},
		{"doctor cause", sum.DoctorCause, "role"},
		{"refresh requests", len(sum.RefreshRequests), 2},
		{"nonce requests", sum.RefreshRequests["GET /api/v2/auth/nonce"], 1},
		{"token requests", sum.RefreshRequests["POST /api/v2/auth/token"], 1},
		{"steps", len(sum.Steps), 11},
		{"refreshed later", sum.RefreshedExpiry.After(sum.ExpiresAt.Add(demoJump - time.Hour)), true},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		})
	}
	if !strings.Contains(r.stderr, "11. Six days later") {
		t.Errorf("with --json the narrative belongs on stderr; stderr:\n%s", r.stderr)
	}
	if m := jwtLike.FindString(r.stdout + r.stderr); m != "" {
		t.Errorf("the demo printed a whole token (%d characters)", len(m))
	}
}

func TestDemoUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"negative pause", []string{"demo", "--pause", "-1s"}, "--pause must not be negative"},
		{"argument", []string{"demo", "now"}, "takes no arguments"},
		{"bad pause", []string{"demo", "--pause", "soon"}, "invalid argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCLI(t, nil, "", tc.args...).expect(t, ExitUsage, tc.want)
		})
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"empty", "", 10, nil},
		{"fits", "a b c", 10, []string{"a b c"}},
		{"breaks at spaces", "aaa bbb ccc", 7, []string{"aaa bbb", "ccc"}},
		{"long word alone", "a verylongword b", 5, []string{"a", "verylongword", "b"}},
		{"collapses spaces", "a  \n b", 10, []string{"a b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := wrap(tc.in, tc.width)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
		})
	}
}

func TestShortToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"jwt", "eyJhbGciOiJFZERTQSJ9.e30.sig", "eyJhbGci…"},
		{"short", "abcd", "…"},
		{"empty", "", "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := shortToken(tc.in); got != tc.want {
				t.Errorf("shortToken(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
