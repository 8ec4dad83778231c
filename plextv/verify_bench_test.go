package plextv_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/plextv"
)

// BenchmarkVerify verifies a Plex JWT with a warm key-set cache (fetched once from an httptest
// JWKS server): parse, key lookup, signature, claims decoding and checks.
// BenchmarkEd25519Verify checks the same signature over the same signing input with
// crypto/ed25519 alone; their ratio is the JOSE overhead reported in docs/benchmarks.md.
func BenchmarkVerify(b *testing.B) {
	ed := newEdKey(b, "k1")
	srv := newJWKSServer(b, ed.public())
	v := plextv.NewVerifier(plextv.RemoteKeys(srv.URL, srv.Client()), plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
	token := ed.sign(b, plexClaims(testClient, testThumb))
	exp := plextv.Expect{ClientIdentifier: testClient, Thumbprint: testThumb}
	ctx := context.Background()
	if _, err := v.Verify(ctx, token, exp); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, token, exp); err != nil {
			b.Fatal(err)
		}
	}
	if n := srv.requests.Load(); n != 1 {
		b.Fatalf("%d JWKS requests, want 1 (the cache was not warm)", n)
	}
}

func BenchmarkEd25519Verify(b *testing.B) {
	ed := newEdKey(b, "k1")
	token := ed.sign(b, plexClaims(testClient, testThumb))
	i := strings.LastIndexByte(token, '.')
	input := []byte(token[:i])
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := ed.priv.(ed25519.PrivateKey).Public().(ed25519.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("signature does not verify")
		}
	}
}
