package plextv_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/plextv"
)

// A program checks a Plex JWT against plex.tv's published keys (here a static set standing in
// for GET https://clients.plex.tv/api/v2/auth/keys, which RemoteKeys fetches).
func ExampleVerifier_Verify() {
	plexKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	issued := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	token := issuePlexJWT(plexKey, "plex-key-1", map[string]any{
		"iss": "plex.tv", "aud": []string{"plex.tv", "my-client-id"}, "thumbprint": "my-device-kid",
		"iat": issued.Unix(), "exp": issued.Add(7 * 24 * time.Hour).Unix(),
		"user": map[string]any{"id": 1, "uuid": "u1", "username": "alice"},
	})

	keys := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: plexKey.Public(), KeyID: "plex-key-1", Algorithm: "EdDSA", Use: "sig"}}}
	v := plextv.NewVerifier(plextv.StaticKeys(keys), plextv.VerifierOptions{Now: func() time.Time { return issued.Add(time.Hour) }})
	claims, err := v.Verify(context.Background(), token, plextv.Expect{ClientIdentifier: "my-client-id", Thumbprint: "my-device-kid"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.User.Username, claims.Expiry.Format(time.DateOnly))

	_, err = v.Verify(context.Background(), token, plextv.Expect{Thumbprint: "another-device"})
	var ve *plextv.VerifyError
	fmt.Println(errors.Is(err, plextv.ErrWrongThumbprint), errors.As(err, &ve) && ve.Check == "thumbprint")
	// Output:
	// alice 2025-07-08
	// true true
}

// issuePlexJWT signs claims the way plex.tv does: EdDSA, with kid and typ JWT.
func issuePlexJWT(key ed25519.PrivateKey, kid string, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		log.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		log.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		log.Fatal(err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		log.Fatal(err)
	}
	return token
}

// Decoding shows what a token claims; it proves nothing.
func ExampleDecodeUnverified() {
	token := issuePlexJWT(ed25519.NewKeyFromSeed(make([]byte, 32)), "plex-key-1", map[string]any{
		"iss": "plex.tv", "aud": []string{"plex.tv", "my-client-id"}, "exp": 1751976000,
	})
	d, err := plextv.DecodeUnverified(token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Algorithm, d.KeyID, d.Type, d.Claims.Audience, d.Claims.Expiry.UTC().Format(time.RFC3339))
	// Output: EdDSA plex-key-1 JWT [plex.tv my-client-id] 2025-07-08T12:00:00Z
}
