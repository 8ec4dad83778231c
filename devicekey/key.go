package devicekey

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"unicode"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
)

// ErrInvalidKey is matched (errors.Is) by every error about key material or a kid that cannot
// be used: wrong lengths, a private and public key that do not belong together, a bad kid.
var ErrInvalidKey = errors.New("invalid device key")

// maxKIDLen bounds a kid taken from outside; real ones are 43 (thumbprint) or 64 (hex) long.
const maxKIDLen = 256

// Key is an Ed25519 device key and the id plex.tv knows it by. It hides its private bytes:
// String, GoString and Format print only the kid, and it marshals to JSON as its public JWK.
type Key struct {
	priv   ed25519.PrivateKey
	kid    string
	signer jose.Signer
}

// Generate returns a new random key whose kid is its RFC 7638 thumbprint.
func Generate() (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devicekey: generate: %w", err)
	}
	return newKey(priv, "")
}

// FromRaw builds a key from the raw 32-byte Ed25519 seed and 32-byte public key that
// python-plexapi writes (a 64-byte seed‖public private key is accepted as well). An empty kid
// means the RFC 7638 thumbprint; a kid registered elsewhere is kept as given. A public key that
// does not belong to the private key is refused.
func FromRaw(private, public []byte, kid string) (*Key, error) {
	var seed []byte
	switch len(private) {
	case ed25519.SeedSize:
		seed = private
	case ed25519.PrivateKeySize:
		seed = private[:ed25519.SeedSize]
		if subtle.ConstantTimeCompare(ed25519.NewKeyFromSeed(seed)[ed25519.SeedSize:], private[ed25519.SeedSize:]) != 1 {
			return nil, fmt.Errorf("devicekey: the 64-byte private key is not a seed followed by its public key: %w", ErrInvalidKey)
		}
	default:
		return nil, fmt.Errorf("devicekey: private key is %d bytes, want %d (raw Ed25519 seed): %w", len(private), ed25519.SeedSize, ErrInvalidKey)
	}
	if len(public) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("devicekey: public key is %d bytes, want %d (raw Ed25519): %w", len(public), ed25519.PublicKeySize, ErrInvalidKey)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if subtle.ConstantTimeCompare(priv[ed25519.SeedSize:], public) != 1 {
		return nil, fmt.Errorf("devicekey: the public key does not belong to the private key: %w", ErrInvalidKey)
	}
	return newKey(priv, kid)
}

// ImportFiles reads python-plexapi's raw key files (see FromRaw) and returns the key with kid,
// or with its thumbprint when kid is empty. A file of the wrong size gives a *CorruptError naming
// it.
func ImportFiles(privatePath, publicPath, kid string) (*Key, error) {
	priv, err := readRaw(privatePath, ed25519.SeedSize, ed25519.PrivateKeySize)
	if err != nil {
		return nil, err
	}
	pub, err := readRaw(publicPath, ed25519.PublicKeySize)
	if err != nil {
		return nil, err
	}
	return FromRaw(priv, pub, kid)
}

func readRaw(path string, sizes ...int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devicekey: import: %w", err)
	}
	for _, n := range sizes {
		if len(b) == n {
			return b, nil
		}
	}
	e := &ImportError{Path: path, Reason: fmt.Sprintf("is %d bytes, not a raw Ed25519 key file (%d bytes, as python-plexapi writes it)", len(b), sizes[0])}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN")) {
		e.Reason = "is a PEM file, not a raw Ed25519 key file (32 bytes, as python-plexapi writes it)"
		e.Fix = "convert it: `openssl pkey -in KEY.pem -outform DER | tail -c 32 > private.key` and `openssl pkey -in KEY.pem -pubout -outform DER | tail -c 32 > public.key`"
	}
	return nil, e
}

// ImportError is a file ImportFiles cannot take: not a raw 32-byte Ed25519 key file. Nothing
// was read into the device, and the file is as it was.
type ImportError struct {
	Path   string
	Reason string
	Fix    string // what to do, when it can be told (a PEM file can be converted)
}

// Error implements error.
func (e *ImportError) Error() string {
	msg := fmt.Sprintf("devicekey: import: %s %s", e.Path, e.Reason)
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

// newKey checks kid (empty → thumbprint) and prepares the signer once, so that signing a device
// JWT costs one signature and not a key setup.
func newKey(priv ed25519.PrivateKey, kid string) (*Key, error) {
	if kid == "" {
		kid = Thumbprint(priv.Public().(ed25519.PublicKey))
	} else if err := CheckKID(kid); err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("devicekey: prepare signer: %w", err)
	}
	return &Key{priv: priv, kid: kid, signer: signer}, nil
}

// CheckKID returns an error matching ErrInvalidKey unless kid can name a key: at most 256
// characters of printable UTF-8 without spaces.
func CheckKID(kid string) error {
	if len(kid) > maxKIDLen {
		return fmt.Errorf("devicekey: kid is %d characters, at most %d allowed: %w", len(kid), maxKIDLen, ErrInvalidKey)
	}
	if !utf8.ValidString(kid) {
		return fmt.Errorf("devicekey: kid is not valid UTF-8: %w", ErrInvalidKey)
	}
	for _, r := range kid {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("devicekey: kid %q contains a space or control character: %w", kid, ErrInvalidKey)
		}
	}
	return nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of an Ed25519 public key: SHA-256 over
// {"crv":"Ed25519","kty":"OKP","x":…}, base64url without padding. It returns "" for a public key
// that is not 32 bytes.
func Thumbprint(pub ed25519.PublicKey) string {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// KID returns the key id plex.tv knows this key by.
func (k *Key) KID() string {
	if k == nil {
		return ""
	}
	return k.kid
}

// Public returns the public key; nil for a Key not made by this package.
func (k *Key) Public() ed25519.PublicKey {
	if k == nil || len(k.priv) != ed25519.PrivateKeySize {
		return nil
	}
	return k.priv.Public().(ed25519.PublicKey)
}

// PublicJWK returns the public JWK plex.tv registers:
// {"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"}.
func (k *Key) PublicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Public(), KeyID: k.KID(), Algorithm: string(jose.EdDSA), Use: "sig"}
}

// MarshalPublicJWK returns the JSON of PublicJWK.
func (k *Key) MarshalPublicJWK() ([]byte, error) {
	if !k.usable() {
		return nil, fmt.Errorf("devicekey: the key is empty (make keys with Generate, FromRaw or LoadDevice): %w", ErrInvalidKey)
	}
	jwk := k.PublicJWK()
	b, err := json.Marshal(jwk)
	if err != nil {
		return nil, fmt.Errorf("devicekey: marshal public JWK: %w", err)
	}
	return b, nil
}

// MarshalJSON writes the public JWK, so that a Key marshalled by accident (in a struct, a log
// line) shows what plex.tv may see and nothing more.
func (k Key) MarshalJSON() ([]byte, error) { return k.MarshalPublicJWK() }

// usable reports whether k was made by this package (the zero Key holds no key).
func (k *Key) usable() bool {
	return k != nil && len(k.priv) == ed25519.PrivateKeySize && k.signer != nil
}

// String identifies the key by its kid, never by its bytes.
func (k Key) String() string { return "devicekey(kid=" + k.kid + ")" }

// GoString keeps %#v from printing the private key.
func (k Key) GoString() string { return k.String() }

// Format makes every fmt verb (%x, %v, %+v, …) print String, so no verb can reach the private
// key. String, GoString and Format have value receivers so that a copied Key is covered too.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }
