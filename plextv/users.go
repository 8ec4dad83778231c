package plextv

import (
	"context"
	"net/http"
	"time"

	"github.com/plexkit/plexkit/auth"
)

// UsersService reads the plex.tv account a token belongs to.
type UsersService struct{ c *Client }

// User is a plex.tv account (GET /api/v2/user). The account's legacy token, which plex.tv
// includes in the answer, is deliberately not kept.
type User struct {
	ID               int64         `json:"id"`
	UUID             string        `json:"uuid"`
	Username         string        `json:"username"`
	Title            string        `json:"title"`
	Email            string        `json:"email"`
	FriendlyName     string        `json:"friendlyName"`
	Locale           string        `json:"locale"`
	Confirmed        bool          `json:"confirmed"`
	JoinedAt         int64         `json:"joinedAt"` // Unix seconds
	Thumb            string        `json:"thumb"`
	HasPassword      bool          `json:"hasPassword"`
	Protected        bool          `json:"protected"`
	Restricted       bool          `json:"restricted"`
	Anonymous        *bool         `json:"anonymous"`
	Home             bool          `json:"home"`
	Guest            bool          `json:"guest"`
	HomeAdmin        bool          `json:"homeAdmin"`
	HomeSize         int           `json:"homeSize"`
	MaxHomeSize      int           `json:"maxHomeSize"`
	Country          string        `json:"country"`
	TwoFactorEnabled bool          `json:"twoFactorEnabled"`
	Subscription     *Subscription `json:"subscription"`
	Roles            []string      `json:"roles"`
	Entitlements     []string      `json:"entitlements"`
}

// Subscription is the account's Plex Pass state.
type Subscription struct {
	Active         bool     `json:"active"`
	Status         string   `json:"status"`
	Plan           string   `json:"plan"`
	PaymentService string   `json:"paymentService"`
	Features       []string `json:"features"`
}

// Joined returns when the account was created.
func (u *User) Joined() time.Time { return time.Unix(u.JoinedAt, 0).UTC() }

// Me returns the account of token (GET /api/v2/user), or, when token is empty, of the client's
// token source. plex.tv answers 401 (plexkit.ErrUnauthorized) for an unknown or revoked token
// and 498 (plexkit.ErrTokenExpired) for an expired Plex JWT.
func (s *UsersService) Me(ctx context.Context, token string) (*User, error) {
	r := request{method: http.MethodGet, path: "/api/v2/user", authed: token == ""}
	if token != "" {
		r.token = auth.StaticTokenSource(&auth.Token{Value: token, Kind: auth.KindPlexJWT})
	}
	var u User
	if err := s.c.do(ctx, r, &u); err != nil {
		return nil, err
	}
	return &u, nil
}
