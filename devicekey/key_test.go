package devicekey

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// RFC 8037 Appendix A test vectors.
const (
	rfcD          = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfcX          = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfcThumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
	rfcPayload    = "Example of Ed25519 signing"
	rfcJWS        = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rfcKey(t testing.TB, kid string) *Key {
	t.Helper()
	k, err := FromRaw(b64(t, rfcD), b64(t, rfcX), kid)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRFC8037(t *testing.T) {
	t.Parallel()
	k := rfcKey(t, "")

	t.Run("A.1 private key gives the public x", func(t *testing.T) {
		t.Parallel()
		if got := base64.RawURLEncoding.EncodeToString(k.Public()); got != rfcX {
			t.Errorf("x = %s, want %s", got, rfcX)
		}
	})
	t.Run("A.2 public JWK", func(t *testing.T) {
		t.Parallel()
		b, err := k.MarshalPublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"kty": "OKP", "crv": "Ed25519", "x": rfcX, "kid": rfcThumbprint, "alg": "EdDSA", "use": "sig"}
		if len(got) != len(want) {
			t.Errorf("JWK %s has members %v, want exactly %v", b, got, want)
		}
		for name, v := range want {
			if got[name] != v {
				t.Errorf("JWK %s: %s = %v, want %v", b, name, got[name], v)
			}
		}
		// An independent parse of the JWK must give back the same public key.
		var parsed jose.JSONWebKey
		if err := parsed.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if !parsed.IsPublic() || !k.Public().Equal(parsed.Key) {
			t.Errorf("parsed JWK key %v is not the public key", parsed.Key)
		}
	})
	t.Run("A.3 thumbprint is the kid", func(t *testing.T) {
		t.Parallel()
		if got := Thumbprint(k.Public()); got != rfcThumbprint {
			t.Errorf("Thumbprint = %s, want %s", got, rfcThumbprint)
		}
		if k.KID() != rfcThumbprint {
			t.Errorf("KID = %s, want %s", k.KID(), rfcThumbprint)
		}
	})
	t.Run("A.4 signature", func(t *testing.T) {
		t.Parallel()
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: k.priv}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := signer.Sign([]byte(rfcPayload))
		if err != nil {
			t.Fatal(err)
		}
		got, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		if got != rfcJWS {
			t.Errorf("JWS =\n%s\nwant\n%s", got, rfcJWS)
		}
		parts := strings.Split(rfcJWS, ".")
		if !ed25519.Verify(k.Public(), []byte(parts[0]+"."+parts[1]), b64(t, parts[2])) {
			t.Error("the RFC signature does not verify with the imported public key")
		}
	})
}

func TestThumbprintRejectsBadLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 31, 33, 64} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			if got := Thumbprint(make(ed25519.PublicKey, n)); got != "" {
				t.Errorf("Thumbprint of %d bytes = %q, want \"\"", n, got)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if a.Public().Equal(b.Public()) {
		t.Error("two generated keys are equal")
	}
	for _, k := range []*Key{a, b} {
		if k.KID() != Thumbprint(k.Public()) || len(k.KID()) != 43 {
			t.Errorf("kid %q is not the 43-character thumbprint %q", k.KID(), Thumbprint(k.Public()))
		}
	}
}

func TestFromRaw(t *testing.T) {
	t.Parallel()
	seed, pub := b64(t, rfcD), b64(t, rfcX)
	full := append(append([]byte{}, seed...), pub...)
	other := make([]byte, 32)
	other[0] = 1
	otherPub := ed25519.NewKeyFromSeed(other).Public().(ed25519.PublicKey)
	hexKID := strings.Repeat("ab", 32)

	tests := []struct {
		name    string
		priv    []byte
		pub     []byte
		kid     string
		wantKID string
		wantErr string
	}{
		{name: "seed and public, thumbprint kid", priv: seed, pub: pub, wantKID: rfcThumbprint},
		{name: "python-plexapi hex kid kept", priv: seed, pub: pub, kid: hexKID, wantKID: hexKID},
		{name: "64-byte private key", priv: full, pub: pub, wantKID: rfcThumbprint},
		{name: "short private key", priv: seed[:31], pub: pub, wantErr: "private key is 31 bytes"},
		{name: "empty private key", priv: nil, pub: pub, wantErr: "private key is 0 bytes"},
		{name: "short public key", priv: seed, pub: pub[:16], wantErr: "public key is 16 bytes"},
		{name: "mismatched pair", priv: seed, pub: otherPub, wantErr: "does not belong"},
		{name: "64-byte key with wrong public half", priv: append(append([]byte{}, seed...), otherPub...), pub: pub, wantErr: "not a seed followed by its public key"},
		{name: "kid with a space", priv: seed, pub: pub, kid: "a b", wantErr: "space or control"},
		{name: "kid with a newline", priv: seed, pub: pub, kid: "a\nb", wantErr: "space or control"},
		{name: "kid too long", priv: seed, pub: pub, kid: strings.Repeat("k", 257), wantErr: "at most 256"},
		{name: "kid not UTF-8", priv: seed, pub: pub, kid: "\xff", wantErr: "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := FromRaw(tt.priv, tt.pub, tt.kid)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrInvalidKey saying %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), rfcD) || strings.Contains(err.Error(), hex.EncodeToString(seed)) {
					t.Errorf("error reveals the private key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.KID() != tt.wantKID {
				t.Errorf("KID = %q, want %q", k.KID(), tt.wantKID)
			}
			if !k.Public().Equal(ed25519.PublicKey(pub)) {
				t.Error("public key differs")
			}
		})
	}
}

func TestImportFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	priv := write("private.key", b64(t, rfcD))
	pub := write("public.key", b64(t, rfcX))
	truncated := write("truncated.key", b64(t, rfcD)[:20])
	empty := write("empty.key", nil)
	pemFile := write("pem.key", []byte("-----BEGIN PRIVATE KEY-----\n"))

	tests := []struct {
		name        string
		priv, pub   string
		kid         string
		wantKID     string
		wantBad     string // path named by the *ImportError
		wantNotExst bool
	}{
		{name: "raw files", priv: priv, pub: pub, wantKID: rfcThumbprint},
		{name: "raw files with kid", priv: priv, pub: pub, kid: "plexapi-kid", wantKID: "plexapi-kid"},
		{name: "truncated private", priv: truncated, pub: pub, wantBad: truncated},
		{name: "empty public", priv: priv, pub: empty, wantBad: empty},
		{name: "PEM instead of raw", priv: pemFile, pub: pub, wantBad: pemFile},
		{name: "missing private", priv: filepath.Join(dir, "nope"), pub: pub, wantNotExst: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := ImportFiles(tt.priv, tt.pub, tt.kid)
			switch {
			case tt.wantBad != "":
				var ie *ImportError
				if !errors.As(err, &ie) || ie.Path != tt.wantBad || !strings.Contains(err.Error(), tt.wantBad) {
					t.Fatalf("err = %v, want *ImportError naming %s", err, tt.wantBad)
				}
				// The advice for a damaged device.key (restore, or make a new device) does not
				// apply to a file being imported.
				if strings.Contains(err.Error(), "backup") || strings.Contains(err.Error(), "create a new device") {
					t.Errorf("import error gives device.key advice: %v", err)
				}
				if tt.wantBad == pemFile && (!strings.Contains(err.Error(), "is a PEM file") || !strings.Contains(err.Error(), "openssl pkey")) {
					t.Errorf("PEM import error does not say how to convert: %v", err)
				}
			case tt.wantNotExst:
				if !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("err = %v, want not exist", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if k.KID() != tt.wantKID {
					t.Errorf("KID = %q, want %q", k.KID(), tt.wantKID)
				}
			}
		})
	}
}

// TestKeyHidesPrivateBytes prints and marshals a key every way a careless caller might.
func TestKeyHidesPrivateBytes(t *testing.T) {
	t.Parallel()
	k := rfcKey(t, "")
	seed := b64(t, rfcD)
	secrets := []string{rfcD, hex.EncodeToString(seed), base64.StdEncoding.EncodeToString(seed), fmt.Sprint(seed), fmt.Sprint([]byte(k.priv))}
	js, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", k), "%+v": fmt.Sprintf("%+v", k), "%#v": fmt.Sprintf("%#v", k),
		"%s": fmt.Sprintf("%s", k), "%x": fmt.Sprintf("%x", k), "%q": fmt.Sprintf("%q", k),
		"%v of value": fmt.Sprintf("%v", *k), "%+v of Device": fmt.Sprintf("%+v", Device{Key: k, ClientIdentifier: "c"}),
		"json": string(js),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Fatalf("output %q contains the private key", out)
				}
			}
		})
	}
	if got := k.String(); got != "devicekey(kid="+rfcThumbprint+")" {
		t.Errorf("String = %q", got)
	}
	if jwk, err := k.MarshalPublicJWK(); err != nil || string(js) != string(jwk) {
		t.Errorf("json.Marshal(key) = %s, want the public JWK %s (%v)", js, jwk, err)
	}
}

// TestZeroKey: a Key not made by this package fails cleanly instead of panicking.
func TestZeroKey(t *testing.T) {
	t.Parallel()
	for name, k := range map[string]*Key{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := k.SignDeviceJWT(DeviceClaims{ClientIdentifier: "c"}); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("SignDeviceJWT: %v", err)
			}
			if _, err := k.MarshalPublicJWK(); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("MarshalPublicJWK: %v", err)
			}
			if jwk := k.PublicJWK(); k.Public() != nil || k.KID() != "" || jwk.Valid() {
				t.Error("an empty key has a public key or kid")
			}
			if err := SaveDevice(t.TempDir(), &Device{Key: k, ClientIdentifier: "c"}, false); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("SaveDevice: %v", err)
			}
		})
	}
}
