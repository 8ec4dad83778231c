package devicekey

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode"

	"github.com/plexkit/plexkit/internal/atomicfile"
)

// File names inside the config directory.
const (
	KeyFile    = "device.key"  // PKCS#8 PEM "PRIVATE KEY"
	DeviceFile = "device.json" // {"clientIdentifier":…,"kid":…,"x":…}
)

// maxClientIDLen bounds a client identifier taken from outside.
const maxClientIDLen = 256

var (
	// ErrNoDevice is matched when the config directory holds no device.
	ErrNoDevice = errors.New("no device key")
	// ErrDeviceExists is matched when a device would be created over an existing one.
	ErrDeviceExists = errors.New("a device key already exists")
)

// PermissionError says a device file, or its directory, can be read by other users than its
// owner: LoadDevice refuses to use it. Its Path, Mode and Want fields name the file, its mode and
// the mode it needs, and its message gives the chmod that fixes it. Match it with errors.As:
//
//	var pe *devicekey.PermissionError
//	if errors.As(err, &pe) { … pe.Path … }
//
// It is the same type as auth.PermissionError.
type PermissionError = atomicfile.PermissionError

// CorruptError says a device file cannot be used. Nothing has been changed.
type CorruptError struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("devicekey: %s is unusable: %s (it was left as it is; restore it from a backup, or move it away and create a new device, which plex.tv must then register again)", e.Path, e.Reason)
}

// Device is the identity of this installation: its key and the client identifier it was
// registered with. plex.tv ties the two together, so they are stored and replaced together.
type Device struct {
	Key              *Key
	ClientIdentifier string
}

// deviceJSON is device.json. X (the public key, base64url) lets LoadDevice prove that device.key
// belongs to this file even for an imported key whose kid is not a thumbprint; files without it
// are accepted.
type deviceJSON struct {
	ClientIdentifier string `json:"clientIdentifier"`
	KID              string `json:"kid"`
	X                string `json:"x,omitempty"`

	x []byte // X decoded
}

// NewClientIdentifier returns a random UUID (version 4), the form plex.tv clients use for
// X-Plex-Client-Identifier.
func NewClientIdentifier() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("devicekey: client identifier: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}

// CheckClientIdentifier returns an error matching ErrInvalidKey unless id is a usable
// X-Plex-Client-Identifier: non-empty, at most 256 characters, no spaces or control characters.
func CheckClientIdentifier(id string) error {
	if id == "" {
		return fmt.Errorf("devicekey: the client identifier is empty: %w", ErrInvalidKey)
	}
	if len(id) > maxClientIDLen {
		return fmt.Errorf("devicekey: the client identifier is %d characters, at most %d allowed: %w", len(id), maxClientIDLen, ErrInvalidKey)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("devicekey: the client identifier %q contains a space or control character: %w", id, ErrInvalidKey)
		}
	}
	return nil
}

// CreateDevice generates a key and a client identifier and saves them in dir. If dir already
// holds a device (or any part of one) it returns an error matching ErrDeviceExists and changes
// nothing.
func CreateDevice(dir string) (*Device, error) {
	d, err := NewDevice()
	if err != nil {
		return nil, err
	}
	if err := SaveDevice(dir, d, false); err != nil {
		return nil, err
	}
	return d, nil
}

// NewDevice generates a new identity in memory: an Ed25519 key and a UUID v4 client identifier.
// Nothing is written; SaveDevice stores it.
func NewDevice() (*Device, error) {
	key, err := Generate()
	if err != nil {
		return nil, err
	}
	id, err := NewClientIdentifier()
	if err != nil {
		return nil, err
	}
	return &Device{Key: key, ClientIdentifier: id}, nil
}

// SaveDevice writes d to dir/device.key and dir/device.json (0600, in a directory created 0700).
// Unless overwrite is true, an existing device (or any part of one) gives an error matching
// ErrDeviceExists and nothing is written.
//
// Replacing a device is atomic as a whole: the new device is first written, atomically, to one
// journal file (device.new) that holds both halves; then the two files are replaced and the
// journal removed. A kill at any point leaves the old device (no journal yet) or a journal that
// LoadDevice completes, so the directory never holds a key that device.json does not describe.
// Saves, removals and recoveries of one directory are serialized by a lock file (device.lock).
func SaveDevice(dir string, d *Device, overwrite bool) error {
	if d == nil || !d.Key.usable() {
		return fmt.Errorf("devicekey: save: no key: %w", ErrInvalidKey)
	}
	if err := CheckClientIdentifier(d.ClientIdentifier); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(d.Key.priv)
	if err != nil {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	meta := deviceJSON{
		ClientIdentifier: d.ClientIdentifier,
		KID:              d.Key.kid,
		X:                base64.RawURLEncoding.EncodeToString(d.Key.Public()),
	}
	if !overwrite {
		if err := noDevice(dir); err != nil { // refused before the lock file is created
			return err
		}
	}
	if err := atomicfile.EnsureDir(dir); err != nil {
		return err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if !overwrite {
		if err := noDevice(dir); err != nil { // again, now that no other writer runs
			return err
		}
	}
	j, err := json.MarshalIndent(journal{deviceJSON: meta, Key: string(keyPEM)}, "", "  ")
	if err != nil {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, journalFile), append(j, '\n'), atomicfile.FilePerm, false); err != nil {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	return replay(dir, keyPEM, meta)
}

// journalFile holds a device being saved, both halves in one file; see SaveDevice.
const journalFile = "device.new"

// lockFile serializes the writers of a device directory.
const lockFile = "device.lock"

// journal is device.new: device.json's fields and the PEM of device.key.
type journal struct {
	deviceJSON
	Key string `json:"key"`
}

// lockDir takes dir's device lock and removes the temporary files that writers killed while
// holding it left behind: private keys, in full.
func lockDir(dir string) (func(), error) {
	unlock, err := atomicfile.Lock(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("devicekey: %w", err)
	}
	for _, name := range []string{KeyFile, DeviceFile, journalFile} {
		_ = atomicfile.RemoveTemps(filepath.Join(dir, name), false) // best effort: a leftover is retried next time
	}
	return unlock, nil
}

// replay writes the device of a complete journal to its two files and removes the journal. The
// caller holds the lock.
func replay(dir string, keyPEM []byte, meta deviceJSON) error {
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, KeyFile), keyPEM, atomicfile.FilePerm, false); err != nil {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, DeviceFile), append(b, '\n'), atomicfile.FilePerm, false); err != nil {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	if err := os.Remove(filepath.Join(dir, journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("devicekey: save: %w", err)
	}
	return nil
}

// recoverSave completes a save that a kill interrupted, if there is one: under the lock, a
// journal still present is replayed. Temporary files that killed writers left are removed.
func recoverSave(dir string) error {
	path := filepath.Join(dir, journalFile)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if atomicfile.HasTemps(filepath.Join(dir, KeyFile)) || atomicfile.HasTemps(filepath.Join(dir, DeviceFile)) || atomicfile.HasTemps(filepath.Join(dir, journalFile)) {
			unlock, err := lockDir(dir) // removes what a killed writer left
			if err != nil {
				return err
			}
			unlock()
		}
		return nil
	}
	if err := atomicfile.CheckPrivate(path); err != nil {
		return err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another process completed it
	}
	if err != nil {
		return fmt.Errorf("devicekey: load: %w", err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return &CorruptError{Path: path, Reason: "it is not valid JSON"}
	}
	meta, reason := parseMeta(b)
	if reason != "" {
		return &CorruptError{Path: path, Reason: reason}
	}
	priv, reason := parsePrivateKey([]byte(j.Key))
	if reason != "" {
		return &CorruptError{Path: path, Reason: reason}
	}
	if meta.x != nil && !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(meta.x)) {
		return &CorruptError{Path: path, Reason: "its key is not the one its x describes"}
	}
	meta.x = nil
	return replay(dir, []byte(j.Key), meta)
}

// noDevice returns an error matching ErrDeviceExists if dir holds a device or any part of one.
func noDevice(dir string) error {
	for _, p := range []string{filepath.Join(dir, KeyFile), filepath.Join(dir, DeviceFile), filepath.Join(dir, journalFile)} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("devicekey: %s exists: %w", p, ErrDeviceExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("devicekey: save: %w", err)
		}
	}
	return nil
}

// LoadDevice reads the device in dir. It returns an error matching ErrNoDevice when there is
// none, a *PermissionError when a file can be read by others (the message says which
// chmod fixes it), and a *CorruptError when a file is missing its partner, cannot be decoded (empty,
// truncated, not PKCS#8 Ed25519, not JSON), or does not belong with the other. It changes no file
// of a complete device; it only completes a save that a kill interrupted (see SaveDevice) and
// removes the temporary files killed writers left.
func LoadDevice(dir string) (*Device, error) {
	if err := recoverSave(dir); err != nil {
		return nil, err
	}
	keyPath, metaPath := filepath.Join(dir, KeyFile), filepath.Join(dir, DeviceFile)
	keyExists, err := exists(keyPath)
	if err != nil {
		return nil, err
	}
	metaExists, err := exists(metaPath)
	if err != nil {
		return nil, err
	}
	switch {
	case !keyExists && !metaExists:
		return nil, fmt.Errorf("devicekey: %s: %w", dir, ErrNoDevice)
	case !metaExists:
		return nil, &CorruptError{Path: metaPath, Reason: "it is missing although " + KeyFile + " exists (an interrupted save?)"}
	case !keyExists:
		return nil, &CorruptError{Path: keyPath, Reason: "it is missing although " + DeviceFile + " exists"}
	}
	for _, p := range []string{keyPath, metaPath} {
		if err := atomicfile.CheckPrivate(p); err != nil {
			return nil, err
		}
	}

	metaBytes, err := os.ReadFile(metaPath)
	if err != nil {
		return nil, fmt.Errorf("devicekey: load: %w", err)
	}
	meta, reason := parseMeta(metaBytes)
	if reason != "" {
		return nil, &CorruptError{Path: metaPath, Reason: reason}
	}

	keyBytes, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("devicekey: load: %w", err)
	}
	priv, reason := parsePrivateKey(keyBytes)
	if reason != "" {
		return nil, &CorruptError{Path: keyPath, Reason: reason}
	}
	if meta.X != "" && !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(meta.x)) {
		return nil, &CorruptError{Path: keyPath, Reason: "it holds a different key than " + DeviceFile + " describes (x does not match)"}
	}
	key, err := newKey(priv, meta.KID)
	if err != nil {
		return nil, fmt.Errorf("devicekey: load: %w", err)
	}
	return &Device{Key: key, ClientIdentifier: meta.ClientIdentifier}, nil
}

// parseMeta returns the contents of a device.json file, or why it cannot be used.
func parseMeta(b []byte) (deviceJSON, string) {
	var meta deviceJSON
	if err := json.Unmarshal(b, &meta); err != nil {
		return meta, "it is not valid JSON (" + err.Error() + ")"
	}
	if meta.KID == "" {
		return meta, "it has no kid"
	}
	if CheckKID(meta.KID) != nil {
		return meta, "its kid is invalid"
	}
	if CheckClientIdentifier(meta.ClientIdentifier) != nil {
		return meta, "its clientIdentifier is missing or invalid"
	}
	if meta.X != "" {
		x, err := base64.RawURLEncoding.DecodeString(meta.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return meta, "its x is not a base64url Ed25519 public key"
		}
		meta.x = x
	}
	return meta, ""
}

// parsePrivateKey returns the key in a device.key file, or why it cannot be used. The reason
// never quotes the file.
func parsePrivateKey(b []byte) (ed25519.PrivateKey, string) {
	block, rest := pem.Decode(b)
	if block == nil {
		return nil, "it holds no PEM block (empty or truncated?)"
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Sprintf("its PEM block is %q, want \"PRIVATE KEY\" (PKCS#8)", block.Type)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, "it has data after the PEM block"
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, "its PKCS#8 data is invalid"
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Sprintf("it holds a %T, not an Ed25519 key", k)
	}
	return priv, ""
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("devicekey: %w", err)
	}
}

// RemoveDevice deletes the device files in dir — an unfinished save's journal first, then
// device.json, the mark of a complete device, so an interrupted removal is seen as an incomplete
// device, never as a working one — and every temporary file that may hold a copy of the key. It
// returns an error matching ErrNoDevice if there was nothing to remove.
func RemoveDevice(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("devicekey: %s: %w", dir, ErrNoDevice)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	removed := false
	for _, p := range []string{filepath.Join(dir, journalFile), filepath.Join(dir, DeviceFile), filepath.Join(dir, KeyFile)} {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("devicekey: remove: %w", err)
		}
	}
	// Every copy of the key goes: temporary files of writes in progress or killed included.
	for _, name := range []string{KeyFile, DeviceFile, journalFile} {
		if err := atomicfile.RemoveTemps(filepath.Join(dir, name), true); err != nil {
			return fmt.Errorf("devicekey: remove: %w", err)
		}
	}
	if !removed {
		return fmt.Errorf("devicekey: %s: %w", dir, ErrNoDevice)
	}
	return nil
}
