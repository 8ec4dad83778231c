package cli

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/devicekey"
)

// RFC 8037 Appendix A key, as python-plexapi's raw files would hold it.
const (
	rfcSeed = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfcX    = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfcKID  = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
)

// rawKeyFiles writes the RFC key as raw private and public files (0644, as python-plexapi does).
func rawKeyFiles(t testing.TB) (priv, pub string) {
	t.Helper()
	dir := t.TempDir()
	priv, pub = filepath.Join(dir, "private.key"), filepath.Join(dir, "public.key")
	for path, s := range map[string]string{priv: rfcSeed, pub: rfcX} {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return priv, pub
}

func parseJWK(t testing.TB, s string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not a JWK: %q: %v", s, err)
	}
	return m
}

func TestKeyGenerate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pk")
	env := withConfig(dir)
	first := runCLI(t, env, "", "key", "generate").mustSucceed(t)
	jwk := parseJWK(t, first.stdout)
	dev, err := devicekey.LoadDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	if jwk["kid"] != dev.Key.KID() || jwk["x"] != base64.RawURLEncoding.EncodeToString(dev.Key.Public()) ||
		jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" || jwk["alg"] != "EdDSA" || jwk["use"] != "sig" || len(jwk) != 6 {
		t.Errorf("JWK %v does not describe the saved key %v", jwk, dev.Key)
	}
	for path, want := range map[string]fs.FileMode{dir: 0o700, filepath.Join(dir, "device.key"): 0o600, filepath.Join(dir, "device.json"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", path, fi.Mode(), err, want)
		}
	}

	t.Run("again keeps the key", func(t *testing.T) {
		again := runCLI(t, env, "", "key", "generate").mustSucceed(t)
		if again.stdout != first.stdout || !strings.Contains(again.stderr, "already exists") {
			t.Errorf("second generate: stdout %q stderr %q", again.stdout, again.stderr)
		}
	})
	t.Run("show", func(t *testing.T) {
		if r := runCLI(t, env, "", "key", "show").mustSucceed(t); r.stdout != first.stdout {
			t.Errorf("show %q, generate %q", r.stdout, first.stdout)
		}
		if r := runCLI(t, env, "", "key", "show", "--kid").mustSucceed(t); r.stdout != dev.Key.KID()+"\n" {
			t.Errorf("show --kid = %q", r.stdout)
		}
		r := runCLI(t, env, "", "--json", "key", "show", "--kid").mustSucceed(t)
		if m := parseJWK(t, r.stdout); m["kid"] != dev.Key.KID() || m["clientIdentifier"] != dev.ClientIdentifier {
			t.Errorf("--json show --kid = %v", m)
		}
		r = runCLI(t, env, "", "key", "show", "--json").mustSucceed(t)
		if m := parseJWK(t, r.stdout); m["kid"] != dev.Key.KID() || m["x"] != jwk["x"] {
			t.Errorf("show --json = %v", m)
		}
	})
	t.Run("force replaces key and client identifier", func(t *testing.T) {
		r := runCLI(t, env, "", "key", "generate", "--force").mustSucceed(t)
		replaced, err := devicekey.LoadDevice(dir)
		if err != nil {
			t.Fatal(err)
		}
		if parseJWK(t, r.stdout)["kid"] != replaced.Key.KID() || replaced.Key.KID() == dev.Key.KID() || replaced.ClientIdentifier == dev.ClientIdentifier {
			t.Errorf("after --force: kid %s client %s (before %s %s)", replaced.Key.KID(), replaced.ClientIdentifier, dev.Key.KID(), dev.ClientIdentifier)
		}
	})
}

func TestKeyShowRefusesReadableKey(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pk")
	runCLI(t, withConfig(dir), "", "key", "generate").mustSucceed(t)
	key := filepath.Join(dir, "device.key")
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, withConfig(dir), "", "key", "show")
	r.expect(t, 1, "chmod 600 "+key)
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestKeyImport(t *testing.T) {
	t.Parallel()
	priv, pub := rawKeyFiles(t)
	truncated := filepath.Join(t.TempDir(), "short.key")
	if err := os.WriteFile(truncated, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	hexKID := strings.Repeat("3f", 32)
	tests := []struct {
		name       string
		args       []string
		code       int
		stderr     string
		wantKID    string
		wantClient string
	}{
		{name: "thumbprint kid", args: []string{"--private", priv, "--public", pub}, wantKID: rfcKID},
		{name: "kept kid and client identifier", args: []string{"--private", priv, "--public", pub, "--kid", hexKID, "--client-id", "plexapi-client"}, wantKID: hexKID, wantClient: "plexapi-client"},
		{name: "swapped files", args: []string{"--private", pub, "--public", priv}, code: 1, stderr: "does not belong"},
		{name: "truncated private file", args: []string{"--private", truncated, "--public", pub}, code: 1, stderr: truncated},
		{name: "missing file", args: []string{"--private", priv + ".nope", "--public", pub}, code: 1, stderr: "no such file"},
		{name: "bad kid", args: []string{"--private", priv, "--public", pub, "--kid", "a b"}, code: 2, stderr: "kid"},
		{name: "bad client identifier", args: []string{"--private", priv, "--public", pub, "--client-id", ""}, code: 2, stderr: "client identifier is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "pk")
			r := runCLI(t, withConfig(dir), "", append([]string{"key", "import"}, tt.args...)...)
			if tt.code != 0 {
				r.expect(t, tt.code, tt.stderr)
				if _, err := os.Stat(dir); err == nil {
					if entries, _ := os.ReadDir(dir); len(entries) != 0 {
						t.Errorf("a failed import left files: %v", entries)
					}
				}
				return
			}
			r.mustSucceed(t)
			dev, err := devicekey.LoadDevice(dir)
			if err != nil {
				t.Fatal(err)
			}
			if dev.Key.KID() != tt.wantKID || parseJWK(t, r.stdout)["kid"] != tt.wantKID || parseJWK(t, r.stdout)["x"] != rfcX {
				t.Errorf("imported kid %q, JWK %s", dev.Key.KID(), r.stdout)
			}
			if tt.wantClient != "" && dev.ClientIdentifier != tt.wantClient {
				t.Errorf("client identifier %q, want %q", dev.ClientIdentifier, tt.wantClient)
			}
		})
	}
	t.Run("never over an existing device", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "pk")
		runCLI(t, withConfig(dir), "", "key", "generate").mustSucceed(t)
		before, err := os.ReadFile(filepath.Join(dir, "device.key"))
		if err != nil {
			t.Fatal(err)
		}
		runCLI(t, withConfig(dir), "", "key", "import", "--private", priv, "--public", pub).expect(t, 1, "--force")
		after, err := os.ReadFile(filepath.Join(dir, "device.key"))
		if err != nil || string(after) != string(before) {
			t.Errorf("the existing key changed (%v)", err)
		}
		runCLI(t, withConfig(dir), "", "key", "import", "--private", priv, "--public", pub, "--force").mustSucceed(t)
		if r := runCLI(t, withConfig(dir), "", "key", "show", "--kid").mustSucceed(t); r.stdout != rfcKID+"\n" {
			t.Errorf("after --force import: %q", r.stdout)
		}
	})
}
