package cli

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"github.com/plexkit/plexkit/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/doctor"
)

// doctorReport runs plexkit doctor --json and decodes its report.
func doctorReport(t *testing.T, r cliResult) doctor.Report {
	t.Helper()
	var rep doctor.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json printed no report (%v):\n%s\n%s", err, r.stdout, r.stderr)
	}
	return rep
}

func TestDoctorCommand(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, aliceTok := srvLogin(t, e, "alice")
	bob, bobTok := srvLogin(t, e, "bob")
	dave, daveTok := srvLogin(t, e, "dave")
	secrets := []string{aliceTok, bobTok, daveTok}

	// A device JWT signed as a hand-written client might: kid = the client identifier.
	dev, err := devicekey.LoadDevice(alice[EnvConfigDir])
	if err != nil {
		t.Fatal(err)
	}
	badKid := signWithHeaderKid(t, alice[EnvConfigDir], dev.ClientIdentifier, map[string]any{
		"aud": "plex.tv", "iss": dev.ClientIdentifier, "scope": "username",
		"iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix(),
	})
	secrets = append(secrets, badKid)

	closed := testutil.ClosedURL(t)

	fast := []string{"--probe-timeout", "1s"}
	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		// first is the check that must fail first; words must appear in its cause.
		first string
		words []string
		text  []string // for text output: lines stdout must contain
	}{
		{name: "the owner's sessions pass", env: alice, args: []string{"doctor", "--server", "alice-nas"},
			text: []string{"ok   role: GET /status/sessions needs the admin role", "ok   call:", "The call would be accepted."}},
		{name: "a friend's sessions: the role", env: bob, args: []string{"doctor", "--server", "alice-nas"}, code: 1,
			text: []string{"FAIL role: GET /status/sessions (statusGetSlash) needs the admin role", "fix: ask the owner", "FAIL call:"}},
		{name: "a friend's sessions as JSON", env: bob, args: []string{"doctor", "--server", "alice-nas", "--json"}, code: 1,
			first: doctor.CheckRole, words: []string{"admin", "no scope"}},
		{name: "a friend's own history passes", env: bob, args: []string{"doctor", "--endpoint", "/status/sessions/history/all", "--json"}},
		{name: "a DELETE is judged by role only", env: bob, args: []string{"doctor", "--endpoint", "DELETE /library/sections/1", "--json"}, code: 1,
			first: doctor.CheckRole, words: []string{"DELETE /library/sections/{sectionId}", "admin"}},
		{name: "no access", env: dave, args: []string{"doctor", "--server", "alice-nas", "--json"}, code: 1,
			first: doctor.CheckServerListed, words: []string{"neither owned by this account nor shared with it"}},
		{name: "a wrong URL", env: alice, args: []string{"doctor", "--server", closed, "--json"}, code: 1,
			first: doctor.CheckConnections, words: []string{"connection refused", "URL is wrong"}},
		{name: "a pasted token from stdin, on a server that refuses the account JWT", env: bob, stdin: aliceTok,
			args: []string{"doctor", "--token", "-", "--server", "alice-vault", "--json"}, code: 1,
			first: doctor.CheckServerAcceptsTokens, words: []string{"own accessToken"}},
		{name: "a device JWT whose kid is the client identifier", env: alice,
			args: []string{"doctor", "--server", "alice-nas", "--device-jwt", badKid, "--json"}, code: 1,
			first: doctor.CheckDeviceJWTKeyID, words: []string{"kid is your client identifier", "RFC 7638 thumbprint"}},
		{name: "not logged in", env: map[string]string{EnvPlexTVURL: e.URL()}, args: []string{"doctor", "--json"}, code: 1,
			first: doctor.CheckTokenKind, words: []string{"no token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.env, tc.stdin, append(tc.args, fast...)...)
			r.expect(t, tc.code)
			for _, s := range secrets {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Error("the output shows a token or device JWT")
				}
			}
			for _, want := range tc.text {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if !strings.Contains(strings.Join(tc.args, " "), "--json") {
				return
			}
			rep := doctorReport(t, r)
			if rep.OK != (tc.code == 0) {
				t.Errorf("report ok = %v with exit %d", rep.OK, r.code)
			}
			if tc.first == "" {
				return
			}
			f := rep.FirstFailure()
			if f == nil || f.Check != tc.first {
				t.Fatalf("first failure = %+v, want %q\n%s", f, tc.first, r.stdout)
			}
			for _, w := range tc.words {
				if !strings.Contains(f.Cause, w) {
					t.Errorf("cause %q lacks %q", f.Cause, w)
				}
			}
		})
	}
}

func TestDoctorUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a path without slash", []string{"doctor", "--endpoint", "status/sessions"}, "must be a path starting with /"},
		{"an unknown method", []string{"doctor", "--method", "FETCH"}, "not an HTTP method"},
		{"two methods", []string{"doctor", "--method", "GET", "--endpoint", "POST /security/token"}, "different methods"},
		{"no probe time", []string{"doctor", "--probe-timeout", "0s"}, "--probe-timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCLI(t, nil, "", tc.args...).expect(t, ExitUsage, tc.want)
		})
	}
}

// signWithHeaderKid signs claims with the private key of the device in dir under header kid,
// as a hand-written client that puts the wrong value in kid would.
func signWithHeaderKid(t testing.TB, dir, kid string, claims map[string]any) string {
	t.Helper()
	priv := readDevicePrivateKey(t, dir)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readDevicePrivateKey reads the device key file (PKCS#8 PEM) that devicekey wrote in dir.
func readDevicePrivateKey(t testing.TB, dir string) ed25519.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("device.key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("device.key holds a %T", k)
	}
	return priv
}
