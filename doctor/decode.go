package doctor

import (
	"time"

	"github.com/plexkit/plexkit/plextv"
)

// jwtView is what the checks read of a decoded JWT, Plex JWT or device JWT alike.
type jwtView struct {
	KeyID, Alg, Type     string
	Issuer               string
	Audience             []string
	IssuedAt, Expiry     time.Time
	Nonce, Scope         string
	Thumbprint, Username string
	UserID               int64
}

// viewOf flattens d; a nil d gives the zero view.
func viewOf(d *plextv.Decoded) jwtView {
	if d == nil {
		return jwtView{}
	}
	c := d.Claims
	return jwtView{
		KeyID: d.KeyID, Alg: d.Algorithm, Type: d.Type,
		Issuer: c.Issuer, Audience: c.Audience,
		IssuedAt: c.IssuedAt, Expiry: c.Expiry,
		Nonce: c.Nonce, Scope: c.Scope,
		Thumbprint: c.Thumbprint, Username: c.User.Username, UserID: c.User.ID,
	}
}
