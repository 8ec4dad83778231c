package devicekey

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

// BenchmarkSignDeviceJWT is the whole device JWT: claims to JSON, header, base64url, signature,
// compact serialisation. BenchmarkEd25519Sign signs the same signing input with crypto/ed25519
// alone; the ratio of the two is the JOSE overhead reported in docs/benchmarks.md.
func BenchmarkSignDeviceJWT(b *testing.B) {
	k := rfcKey(b, "")
	c := benchClaims()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.SignDeviceJWT(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEd25519Sign(b *testing.B) {
	k := rfcKey(b, "")
	token, err := k.SignDeviceJWT(benchClaims())
	if err != nil {
		b.Fatal(err)
	}
	input := []byte(token[:strings.LastIndexByte(token, '.')])
	b.ReportAllocs()
	for b.Loop() {
		ed25519.Sign(k.priv, input)
	}
}

func benchClaims() DeviceClaims {
	return DeviceClaims{
		ClientIdentifier: "0b8c1a3e-7a51-4c55-9a3b-0f5d8c5c8f10",
		Nonce:            "9d6b2e4c-7f3a-4c1e-8a2b-5e6f7a8b9c0d",
		Scopes:           []string{"username", "email", "friendly_name"},
		IssuedAt:         time.Unix(1750000000, 0),
	}
}
