package devicekey

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseDeviceFiles feeds arbitrary bytes to the parsers of device.key and device.json: they
// must never panic, and whatever they accept must be usable.
func FuzzParseDeviceFiles(f *testing.F) {
	dir := f.TempDir()
	if _, err := CreateDevice(dir); err != nil {
		f.Fatal(err)
	}
	keyFile, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		f.Fatal(err)
	}
	metaFile, err := os.ReadFile(filepath.Join(dir, DeviceFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(keyFile, metaFile)
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMRESc\n-----END PRIVATE KEY-----\n"), []byte(`{"clientIdentifier":"c","kid":"k"}`))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n"), []byte(`{"clientIdentifier":"c","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte{}, []byte(`{`))
	f.Fuzz(func(t *testing.T, keyFile, metaFile []byte) {
		if priv, reason := parsePrivateKey(keyFile); reason == "" {
			if len(priv) != ed25519.PrivateKeySize {
				t.Fatalf("accepted a %d-byte private key", len(priv))
			}
			if _, err := newKey(priv, ""); err != nil {
				t.Fatalf("accepted key is unusable: %v", err)
			}
		} else if priv != nil {
			t.Fatal("a key with a reason")
		}
		if meta, reason := parseMeta(metaFile); reason == "" {
			if CheckClientIdentifier(meta.ClientIdentifier) != nil || CheckKID(meta.KID) != nil || meta.KID == "" {
				t.Fatalf("accepted %+v", meta)
			}
			if meta.X != "" && len(meta.x) != ed25519.PublicKeySize {
				t.Fatalf("accepted x of %d bytes", len(meta.x))
			}
		}
	})
}

// FuzzFromRaw checks that any bytes give a key or ErrInvalidKey, never a panic, and that an
// accepted pair really is a pair.
func FuzzFromRaw(f *testing.F) {
	seed := make([]byte, 32)
	f.Add(seed, []byte(ed25519.NewKeyFromSeed(seed)[32:]), "")
	f.Add(seed[:5], seed, "k")
	f.Fuzz(func(t *testing.T, priv, pub []byte, kid string) {
		k, err := FromRaw(priv, pub, kid)
		if err != nil {
			return
		}
		if !k.Public().Equal(ed25519.PublicKey(pub)) {
			t.Fatal("accepted a public key that is not the private key's")
		}
		if kid == "" && k.KID() != Thumbprint(k.Public()) {
			t.Fatal("default kid is not the thumbprint")
		}
	})
}
