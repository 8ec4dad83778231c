package plextv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// PinsService creates and polls PINs: the codes a person approves in a browser so that a device
// gets its first token without ever seeing the account's password.
type PinsService struct{ c *Client }

// PinOptions describes a PIN to create.
type PinOptions struct {
	// Strong asks for a long code for the approval page (AuthURL); otherwise plex.tv hands out a
	// 4-character code that a person types at LinkURL.
	Strong bool
	// JWK is the device's public key. With it, the approved PIN yields a Plex JWT bound to the
	// key; without it, a legacy token.
	JWK *jose.JSONWebKey
}

// Pin is a PIN as plex.tv describes it. AuthToken stays empty until a person approves the PIN.
// The Pin's String, GoString and LogValue forms never show it; its JSON encoding does, since Pin
// mirrors plex.tv's wire format: do not marshal an approved Pin into a log or anywhere else the
// token must not go.
type Pin struct {
	ID               int64        `json:"id" xml:"id,attr"`
	Code             string       `json:"code" xml:"code,attr"`
	Product          string       `json:"product" xml:"product,attr"`
	Trusted          bool         `json:"trusted" xml:"trusted,attr"`
	QR               string       `json:"qr" xml:"qr,attr"`
	ClientIdentifier string       `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	Location         *PinLocation `json:"location" xml:"location"`
	ExpiresIn        int          `json:"expiresIn" xml:"expiresIn,attr"` // seconds left when plex.tv answered
	CreatedAt        time.Time    `json:"createdAt" xml:"createdAt,attr"`
	ExpiresAt        time.Time    `json:"expiresAt" xml:"expiresAt,attr"`
	AuthToken        string       `json:"authToken" xml:"authToken,attr"` // the token once approved: a secret
	NewRegistration  *bool        `json:"newRegistration" xml:"newRegistration,attr"`
}

// PinLocation is plex.tv's guess of where the PIN was created from, shown on the approval page.
type PinLocation struct {
	Code         string `json:"code" xml:"code,attr"`
	Country      string `json:"country" xml:"country,attr"`
	City         string `json:"city" xml:"city,attr"`
	TimeZone     string `json:"time_zone" xml:"time_zone,attr"`
	Subdivisions string `json:"subdivisions" xml:"subdivisions,attr"`
}

// String describes the PIN without its token.
func (p Pin) String() string {
	state := "pending"
	if p.AuthToken != "" {
		state = "approved"
	}
	return fmt.Sprintf("pin %d (code %s, %s, expires %s)", p.ID, p.Code, state, p.ExpiresAt.Format(time.RFC3339))
}

// GoString is String, so that %#v does not print the token either.
func (p Pin) GoString() string { return p.String() }

// LogValue implements slog.LogValuer: the PIN as a group of its fields and whether it is
// approved, without its token (which JSON handlers would otherwise print).
func (p Pin) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("id", p.ID),
		slog.String("code", p.Code),
		slog.String("product", p.Product),
		slog.String("clientIdentifier", p.ClientIdentifier),
		slog.Time("expiresAt", p.ExpiresAt),
		slog.Bool("approved", p.AuthToken != ""),
	)
}

// ErrNotPublicKey is returned when a PIN or a registration is given a JWK that holds a private
// key: only the public half ever leaves the device.
var ErrNotPublicKey = errors.New("plextv: the JWK must be a valid public key (the private key never leaves the device)")

// Create asks plex.tv for a new PIN (POST /api/v2/pins).
func (s *PinsService) Create(ctx context.Context, opts PinOptions) (*Pin, error) {
	r := request{method: http.MethodPost, path: "/api/v2/pins", want: []int{http.StatusOK, http.StatusCreated}}
	if opts.Strong {
		r.query = url.Values{"strong": {"true"}}
	}
	if opts.JWK != nil {
		if !opts.JWK.Valid() || !opts.JWK.IsPublic() {
			return nil, ErrNotPublicKey
		}
		r.body = struct {
			JWK    *jose.JSONWebKey `json:"jwk"`
			Strong bool             `json:"strong,omitempty"`
		}{opts.JWK, opts.Strong}
	}
	var p Pin
	if err := s.c.do(ctx, r, &p); err != nil {
		return nil, err
	}
	if p.ID == 0 || p.Code == "" {
		return nil, fmt.Errorf("plextv: POST /api/v2/pins: the answer holds no PIN id or code")
	}
	return &p, nil
}

// Get polls a PIN (GET /api/v2/pins/{id}). In the JWT flow deviceJWT is a device JWT signed by
// the key the PIN carries; plex.tv takes it as a query parameter, which every error redacts.
// An expired or unknown PIN is an error matching plexkit.ErrNotFound.
func (s *PinsService) Get(ctx context.Context, id int64, deviceJWT string) (*Pin, error) {
	return s.get(ctx, id, deviceJWT, false)
}

func (s *PinsService) get(ctx context.Context, id int64, deviceJWT string, once bool) (*Pin, error) {
	if id <= 0 {
		return nil, fmt.Errorf("plextv: PIN id %d is not a plex.tv PIN id", id)
	}
	r := request{method: http.MethodGet, path: "/api/v2/pins/" + strconv.FormatInt(id, 10), once: once}
	if deviceJWT != "" {
		r.query = url.Values{"deviceJWT": {deviceJWT}}
	}
	var p Pin
	if err := s.c.do(ctx, r, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// AuthURL returns the page where a person approves a strong PIN: app.plex.tv/auth for plex.tv,
// <base>/auth for another base URL (the emulator). clientID and code travel in the URL
// fragment, as Plex's page expects; forwardURL, when set, is where the page sends the browser
// afterwards.
func (s *PinsService) AuthURL(pin *Pin, product, forwardURL string) string {
	app := s.c.BaseURL()
	if s.c.isRealPlex() {
		app = "https://app.plex.tv"
	}
	clientID := pin.ClientIdentifier
	if clientID == "" {
		clientID = s.c.info.ClientIdentifier
	}
	if product == "" {
		product = s.c.info.Product
	}
	q := url.Values{"clientID": {clientID}, "code": {pin.Code}}
	if product != "" {
		q.Set("context[device][product]", product)
	}
	if forwardURL != "" {
		q.Set("forwardUrl", forwardURL)
	}
	return app + "/auth#?" + q.Encode()
}

// LinkURL returns the page where a person types a 4-character PIN: plex.tv/link for plex.tv,
// <base>/link for another base URL (the emulator).
func (s *PinsService) LinkURL(pin *Pin) string {
	if s.c.isRealPlex() {
		return "https://plex.tv/link/?pin=" + url.QueryEscape(pin.Code)
	}
	return s.c.BaseURL() + "/link?pin=" + url.QueryEscape(pin.Code)
}
