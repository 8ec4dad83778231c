package devicekey

import (
	"errors"

	"github.com/go-jose/go-jose/v4"
)

// ErrSignature means a device JWT was not signed by this key (another key signed it, or it was
// altered), or is not a compact EdDSA JWS at all. plex.tv answers such a token with 422.
var ErrSignature = errors.New("device JWT signature does not verify with this device key")

// VerifySignature checks that token is a compact EdDSA JWS signed by k. It checks only the
// signature, not the claims: it is for diagnosing a device JWT made elsewhere (the doctor), where
// each claim is judged separately.
func (k *Key) VerifySignature(token string) error {
	sig, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return ErrSignature
	}
	if _, err := sig.Verify(k.Public()); err != nil {
		return ErrSignature
	}
	return nil
}
