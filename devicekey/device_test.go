package devicekey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// snapshot returns every file in dir with its mode and contents, to prove a call changed nothing.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = fmt.Sprintf("%v %q", fi.Mode(), b)
	}
	return m
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestCreateAndLoadDevice(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "config", "plexkit")
	d, err := CreateDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(d.ClientIdentifier) {
		t.Errorf("client identifier %q is not a UUIDv4", d.ClientIdentifier)
	}
	for path, want := range map[string]fs.FileMode{dir: 0o700, filepath.Join(dir, KeyFile): 0o600, filepath.Join(dir, DeviceFile): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	got, err := LoadDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClientIdentifier != d.ClientIdentifier || got.Key.KID() != d.Key.KID() || !got.Key.priv.Equal(d.Key.priv) {
		t.Errorf("loaded %v/%v, saved %v/%v", got.ClientIdentifier, got.Key, d.Key, d.ClientIdentifier)
	}

	t.Run("key file is PKCS#8 PEM", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(b)
		if block == nil || block.Type != "PRIVATE KEY" {
			t.Fatalf("not a PRIVATE KEY PEM: %q", b)
		}
		if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("second create refuses and changes nothing", func(t *testing.T) {
		before := snapshot(t, dir)
		_, err := CreateDevice(dir)
		if !errors.Is(err, ErrDeviceExists) {
			t.Fatalf("err = %v, want ErrDeviceExists", err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	})
	t.Run("new client identifier each device", func(t *testing.T) {
		other, err := CreateDevice(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if other.ClientIdentifier == d.ClientIdentifier || other.Key.KID() == d.Key.KID() {
			t.Error("two devices share an identity")
		}
	})
}

func TestSaveDevice(t *testing.T) {
	t.Parallel()
	imported := rfcKey(t, strings.Repeat("ab", 32))
	generated, err := Generate()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("imported kid survives a round trip", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := SaveDevice(dir, &Device{Key: imported, ClientIdentifier: "plexapi-client"}, false); err != nil {
			t.Fatal(err)
		}
		d, err := LoadDevice(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Key.KID() != imported.KID() || d.ClientIdentifier != "plexapi-client" {
			t.Errorf("loaded kid %q client %q", d.Key.KID(), d.ClientIdentifier)
		}
	})
	t.Run("overwrite only when asked", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := SaveDevice(dir, &Device{Key: imported, ClientIdentifier: "one"}, false); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		err := SaveDevice(dir, &Device{Key: generated, ClientIdentifier: "two"}, false)
		if !errors.Is(err, ErrDeviceExists) {
			t.Fatalf("err = %v, want ErrDeviceExists", err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
		if err := SaveDevice(dir, &Device{Key: generated, ClientIdentifier: "two"}, true); err != nil {
			t.Fatal(err)
		}
		d, err := LoadDevice(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Key.KID() != generated.KID() || d.ClientIdentifier != "two" {
			t.Errorf("after overwrite: kid %q client %q", d.Key.KID(), d.ClientIdentifier)
		}
	})
	t.Run("a stray key file counts as a device", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("stray"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		if err := SaveDevice(dir, &Device{Key: generated, ClientIdentifier: "c"}, false); !errors.Is(err, ErrDeviceExists) {
			t.Fatalf("err = %v, want ErrDeviceExists", err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	})
	bad := []struct {
		name string
		dev  *Device
		want string
	}{
		{name: "nil device", dev: nil, want: "no key"},
		{name: "no key", dev: &Device{ClientIdentifier: "c"}, want: "no key"},
		{name: "empty client identifier", dev: &Device{Key: generated}, want: "client identifier is empty"},
		{name: "client identifier with newline", dev: &Device{Key: generated, ClientIdentifier: "a\nb"}, want: "control character"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "d")
			err := SaveDevice(dir, tt.dev, false)
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidKey saying %q", err, tt.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("directory was created: %v", err)
			}
		})
	}
}

func TestLoadDeviceNoDevice(t *testing.T) {
	t.Parallel()
	for name, dir := range map[string]string{"empty dir": t.TempDir(), "missing dir": filepath.Join(t.TempDir(), "nope")} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := LoadDevice(dir); !errors.Is(err, ErrNoDevice) {
				t.Fatalf("err = %v, want ErrNoDevice", err)
			}
		})
	}
}

func TestLoadDeviceRefusesReadableFiles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		mode fs.FileMode
	}{
		{KeyFile, 0o644}, {KeyFile, 0o640}, {KeyFile, 0o604}, {DeviceFile, 0o644},
	} {
		t.Run(fmt.Sprintf("%s %#o", tt.file, tt.mode), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := CreateDevice(dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tt.file)
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			_, err := LoadDevice(dir)
			var pe *PermissionError
			if !errors.As(err, &pe) || pe.Path != path {
				t.Fatalf("err = %v, want *PermissionError for %s", err, path)
			}
			if want := "chmod 600 " + path; !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not say %q", err, want)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
}

func TestLoadDeviceCorrupt(t *testing.T) {
	t.Parallel()
	good, err := CreateDevice(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	goodDir := t.TempDir()
	if err := SaveDevice(goodDir, good, false); err != nil {
		t.Fatal(err)
	}
	goodKey, err := os.ReadFile(filepath.Join(goodDir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	goodMeta, err := os.ReadFile(filepath.Join(goodDir, DeviceFile))
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	otherDir := t.TempDir()
	if err := SaveDevice(otherDir, &Device{Key: other, ClientIdentifier: "x"}, false); err != nil {
		t.Fatal(err)
	}
	otherKey, err := os.ReadFile(filepath.Join(otherDir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	block, _ := pem.Decode(goodKey)
	metaWithout := func(drop string) []byte {
		var m map[string]string
		if err := json.Unmarshal(goodMeta, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m[drop]; !ok {
			t.Fatalf("device.json has no %s: %s", drop, goodMeta)
		}
		delete(m, drop)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	hexKID := fmt.Sprintf(`{"clientIdentifier":%q,"kid":"not-the-thumbprint"}`, good.ClientIdentifier)

	const keyF, metaF = KeyFile, DeviceFile
	tests := []struct {
		name      string
		key, meta []byte // nil: file absent
		badFile   string // the file the *CorruptError must name; "" → load succeeds
		reason    string
	}{
		{name: "good", key: goodKey, meta: goodMeta},
		{name: "meta without x is accepted", key: goodKey, meta: metaWithout("x")},
		{name: "kid not a thumbprint is kept", key: goodKey, meta: []byte(hexKID)},
		{name: "empty key", key: []byte{}, meta: goodMeta, badFile: keyF, reason: "no PEM block"},
		{name: "truncated key", key: goodKey[:len(goodKey)/2], meta: goodMeta, badFile: keyF, reason: "no PEM block"},
		{name: "garbage key", key: []byte("not a key\n"), meta: goodMeta, badFile: keyF, reason: "no PEM block"},
		{name: "wrong PEM type", key: pem.EncodeToMemory(&pem.Block{Type: "ED25519 PRIVATE KEY", Bytes: block.Bytes}), meta: goodMeta, badFile: keyF, reason: `"ED25519 PRIVATE KEY"`},
		{name: "PEM body damaged", key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: block.Bytes[:20]}), meta: goodMeta, badFile: keyF, reason: "PKCS#8 data is invalid"},
		{name: "not Ed25519", key: ecPEM, meta: goodMeta, badFile: keyF, reason: "not an Ed25519 key"},
		{name: "data after PEM", key: append(append([]byte{}, goodKey...), "junk"...), meta: goodMeta, badFile: keyF, reason: "data after the PEM block"},
		{name: "another device's key", key: otherKey, meta: goodMeta, badFile: keyF, reason: "x does not match"},
		{name: "empty meta", key: goodKey, meta: []byte{}, badFile: metaF, reason: "not valid JSON"},
		{name: "truncated meta", key: goodKey, meta: goodMeta[:len(goodMeta)/2], badFile: metaF, reason: "not valid JSON"},
		{name: "meta without kid", key: goodKey, meta: metaWithout("kid"), badFile: metaF, reason: "no kid"},
		{name: "meta without client identifier", key: goodKey, meta: metaWithout("clientIdentifier"), badFile: metaF, reason: "clientIdentifier"},
		{name: "meta with bad x", key: goodKey, meta: []byte(`{"clientIdentifier":"c","kid":"k","x":"!!"}`), badFile: metaF, reason: "x is not"},
		{name: "meta with bad kid", key: goodKey, meta: []byte(`{"clientIdentifier":"c","kid":"a b"}`), badFile: metaF, reason: "kid is invalid"},
		{name: "meta is an array", key: goodKey, meta: []byte(`[]`), badFile: metaF, reason: "not valid JSON"},
		{name: "meta missing", key: goodKey, badFile: metaF, reason: "interrupted save"},
		{name: "key missing", meta: goodMeta, badFile: keyF, reason: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, b := range map[string][]byte{keyF: tt.key, metaF: tt.meta} {
				if b != nil {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			before := snapshot(t, dir)
			d, err := LoadDevice(dir)
			sameSnapshot(t, before, snapshot(t, dir))
			if tt.badFile == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !d.Key.Public().Equal(good.Key.Public()) || d.ClientIdentifier != good.ClientIdentifier {
					t.Errorf("loaded a different device: %v %s", d.Key, d.ClientIdentifier)
				}
				return
			}
			var ce *CorruptError
			path := filepath.Join(dir, tt.badFile)
			if !errors.As(err, &ce) || ce.Path != path {
				t.Fatalf("err = %v, want *CorruptError naming %s", err, path)
			}
			if !strings.Contains(ce.Reason, tt.reason) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q, want it to name %s and say %q", err, path, tt.reason)
			}
			if strings.Contains(err.Error(), "BEGIN") || strings.Contains(err.Error(), string(block.Bytes)) {
				t.Errorf("error quotes the key file: %q", err)
			}
		})
	}
}

func TestRemoveDevice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := CreateDevice(dir); err != nil {
		t.Fatal(err)
	}
	if err := RemoveDevice(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDevice(dir); !errors.Is(err, ErrNoDevice) {
		t.Errorf("after remove: %v, want ErrNoDevice", err)
	}
	if err := RemoveDevice(dir); !errors.Is(err, ErrNoDevice) {
		t.Errorf("second remove: %v, want ErrNoDevice", err)
	}
	if _, err := CreateDevice(dir); err != nil {
		t.Errorf("create after remove: %v", err)
	}
}

func TestCheckClientIdentifier(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id string
		ok bool
	}{
		{"0b8c1a3e-7a51-4c55-9a3b-0f5d8c5c8f10", true},
		{"plexapi-host-1", true},
		{"", false},
		{"a b", false},
		{"tab\there", false},
		{strings.Repeat("x", 257), false},
	} {
		t.Run(fmt.Sprintf("%.20q", tt.id), func(t *testing.T) {
			t.Parallel()
			err := CheckClientIdentifier(tt.id)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidKey)) {
				t.Errorf("CheckClientIdentifier(%q) = %v, want ok=%v", tt.id, err, tt.ok)
			}
		})
	}
}
