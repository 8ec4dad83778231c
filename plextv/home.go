package plextv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
)

// HomeService covers the account's Plex Home: its users, and switching to one of them.
type HomeService struct{ c *Client }

// HomeUser is a user of a Plex Home (an element of GET /api/v2/home/users): the admin, a
// member with an account of their own, or a managed user, who has no username or email.
type HomeUser struct {
	ID                 int64  `json:"id" xml:"id,attr"`
	UUID               string `json:"uuid" xml:"uuid,attr"`
	Title              string `json:"title" xml:"title,attr"`
	Username           string `json:"username" xml:"username,attr"`
	Email              string `json:"email" xml:"email,attr"`
	FriendlyName       string `json:"friendlyName" xml:"friendlyName,attr"`
	Thumb              string `json:"thumb" xml:"thumb,attr"`
	HasPassword        bool   `json:"hasPassword" xml:"hasPassword,attr"`
	Restricted         bool   `json:"restricted" xml:"restricted,attr"`
	RestrictionProfile string `json:"restrictionProfile" xml:"restrictionProfile,attr"` // little_kid, older_kid, teen, or ""
	Admin              bool   `json:"admin" xml:"admin,attr"`
	Guest              bool   `json:"guest" xml:"guest,attr"`
	// Protected says that switching to the user needs their PIN.
	Protected bool  `json:"protected" xml:"protected,attr"`
	UpdatedAt int64 `json:"updatedAt" xml:"updatedAt,attr"` // Unix seconds
}

// Managed reports whether the user is a managed user: one without an account of their own.
func (u HomeUser) Managed() bool { return u.Username == "" && !u.Admin }

// homeBody is GET /api/v2/home/users: {…, "users": […]} in JSON, <home><users><user/>… in XML.
type homeBody struct {
	Users []HomeUser `json:"users" xml:"users>user"`
}

// List returns the users of the account's Plex Home (GET /api/v2/home/users); an account that
// is in no Home gets only itself or an empty list, as plex.tv answers.
func (s *HomeService) List(ctx context.Context) ([]HomeUser, error) {
	var out homeBody
	if err := s.c.do(ctx, request{method: http.MethodGet, path: "/api/v2/home/users", authed: true}, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// CodeHomePINRequired is plex.tv's error code for a Home switch without the user's valid PIN.
const CodeHomePINRequired = 1041

// ErrHomePINRequired matches (errors.Is) a switch to a protected Home user refused because
// the PIN was missing or wrong.
var ErrHomePINRequired = errors.New("plextv: this Home user is protected by a PIN: give the right one")

// Switched is the result of switching to a Home user: the user's account and its token.
type Switched struct {
	User  *User
	Token *auth.Token
}

// TokenSource returns a source of the switched user's token, for a client that acts as that
// user (Client.WithTokenSource, or a pms client). It is the token plex.tv handed out for the
// switch, an account token of that user; no device key is bound to it, so it is not refreshed:
// switch again when plex.tv stops accepting it.
func (s *Switched) TokenSource() auth.TokenSource { return auth.StaticTokenSource(s.Token) }

// ErrNoHomeUser is returned by Switch when given no user.
var ErrNoHomeUser = errors.New("plextv: no Home user: give the user's uuid")

// Switch switches to the Home user uuid (POST /api/v2/home/users/{uuid}/switch), with pin when
// the user is protected, and returns that user's account and token. A protected user without
// the right PIN is refused with ErrHomePINRequired. The client's own token stays as it is.
func (s *HomeService) Switch(ctx context.Context, uuid, pin string) (*Switched, error) {
	if strings.TrimSpace(uuid) == "" {
		return nil, ErrNoHomeUser
	}
	var q url.Values
	if pin != "" {
		q = url.Values{"pin": {pin}}
	}
	path := "/api/v2/home/users/" + url.PathEscape(uuid) + "/switch"
	var out userWithToken
	if err := s.c.do(ctx, request{method: http.MethodPost, path: path, query: q, authed: true}, &out); err != nil {
		hidePIN(err)
		if plexCode(err) == CodeHomePINRequired {
			return nil, fmt.Errorf("%w: %w", ErrHomePINRequired, err)
		}
		return nil, err
	}
	tok, err := out.token(ctx, s.c, "POST "+path)
	if err != nil {
		return nil, err
	}
	return &Switched{User: &out.User, Token: tok}, nil
}

// hidePIN removes the PIN from the URL a refused switch names, so that it never reaches a log.
func hidePIN(err error) {
	var pe *plexkit.Error
	if !errors.As(err, &pe) {
		return
	}
	if u, perr := url.Parse(pe.URL); perr == nil && u.Query().Has("pin") {
		q := u.Query()
		q.Set("pin", "REDACTED")
		u.RawQuery = q.Encode()
		pe.URL = u.String()
	}
}
