package plextv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
)

// UsersService reads the plex.tv account a token belongs to, and signs in with a password.
type UsersService struct{ c *Client }

// User is a plex.tv account (GET /api/v2/user), decoded from plex.tv's JSON or from its XML
// <user> element. The account's legacy token, which plex.tv includes in the answer, is
// deliberately not kept: SignIn and Home.Switch return the token they obtain as an auth.Token.
type User struct {
	ID                      int64  `json:"id" xml:"id,attr"`
	UUID                    string `json:"uuid" xml:"uuid,attr"`
	Username                string `json:"username" xml:"username,attr"`
	Title                   string `json:"title" xml:"title,attr"`
	Email                   string `json:"email" xml:"email,attr"`
	FriendlyName            string `json:"friendlyName" xml:"friendlyName,attr"`
	Locale                  string `json:"locale" xml:"locale,attr"`
	Country                 string `json:"country" xml:"country,attr"`
	Thumb                   string `json:"thumb" xml:"thumb,attr"`
	Confirmed               bool   `json:"confirmed" xml:"confirmed,attr"`
	JoinedAt                int64  `json:"joinedAt" xml:"joinedAt,attr"`                   // Unix seconds
	RememberExpiresAt       int64  `json:"rememberExpiresAt" xml:"rememberExpiresAt,attr"` // Unix seconds
	EmailOnlyAuth           bool   `json:"emailOnlyAuth" xml:"emailOnlyAuth,attr"`
	HasPassword             bool   `json:"hasPassword" xml:"hasPassword,attr"`
	Protected               bool   `json:"protected" xml:"protected,attr"` // a Home PIN is set
	Restricted              bool   `json:"restricted" xml:"restricted,attr"`
	Anonymous               *bool  `json:"anonymous" xml:"-"` // null in plex.tv's JSON for most accounts
	Home                    bool   `json:"home" xml:"home,attr"`
	Guest                   bool   `json:"guest" xml:"guest,attr"`
	HomeAdmin               bool   `json:"homeAdmin" xml:"homeAdmin,attr"`
	HomeSize                int    `json:"homeSize" xml:"homeSize,attr"`
	MaxHomeSize             int    `json:"maxHomeSize" xml:"maxHomeSize,attr"`
	MailingListStatus       string `json:"mailingListStatus" xml:"mailingListStatus,attr"` // active, unsubscribed, removed
	MailingListActive       bool   `json:"mailingListActive" xml:"mailingListActive,attr"`
	ScrobbleTypes           string `json:"scrobbleTypes" xml:"scrobbleTypes,attr"` // comma-separated integers, often ""
	SubscriptionDescription string `json:"subscriptionDescription" xml:"subscriptionDescription,attr"`
	ExperimentalFeatures    bool   `json:"experimentalFeatures" xml:"experimentalFeatures,attr"`
	TwoFactorEnabled        bool   `json:"twoFactorEnabled" xml:"twoFactorEnabled,attr"`
	BackupCodesCreated      bool   `json:"backupCodesCreated" xml:"backupCodesCreated,attr"`
	CertificateVersion      int    `json:"certificateVersion" xml:"certificateVersion,attr"`
	AttributionPartner      string `json:"attributionPartner" xml:"attributionPartner,attr"`
	// Pin is the hashed Home PIN of the account, "" when it has none (plex.tv marks it
	// deprecated).
	Pin string `json:"pin" xml:"pin,attr"`
	// QueueEmail (the address that adds to the Watchlist by mail) and QueueUID are in plex.tv's
	// JSON, and in the XML of the legacy /users/account.
	QueueEmail string `json:"queueEmail" xml:"queueEmail,attr"`
	QueueUID   string `json:"queueUid" xml:"queueUid,attr"`
	// The ads consent is JSON's alone: plex.tv's XML writes "" for an account that never chose.
	AdsConsent           *bool          `json:"adsConsent" xml:"-"`
	AdsConsentSetAt      *int64         `json:"adsConsentSetAt" xml:"-"`      // Unix seconds
	AdsConsentReminderAt *int64         `json:"adsConsentReminderAt" xml:"-"` // Unix seconds
	Subscription         *Subscription  `json:"subscription" xml:"subscription"`
	Subscriptions        []Subscription `json:"subscriptions" xml:"subscriptions>subscription"`
	Profile              *Profile       `json:"profile" xml:"profile"`
	Roles                IDList         `json:"roles" xml:"roles"`
	Entitlements         IDList         `json:"entitlements" xml:"entitlements"`
	Services             []Service      `json:"services" xml:"services>service"`
}

// Subscription is the account's Plex Pass state.
type Subscription struct {
	Active         bool   `json:"active" xml:"active,attr"`
	SubscribedAt   string `json:"subscribedAt" xml:"subscribedAt,attr"` // "2023-03-24 00:00:00 UTC", or empty
	Status         string `json:"status" xml:"status,attr"`             // Active, Inactive
	Plan           string `json:"plan" xml:"plan,attr"`                 // lifetime, monthly, …
	PaymentService string `json:"paymentService" xml:"paymentService,attr"`
	Features       IDList `json:"features" xml:"features"`
}

// Since returns when the subscription began: plex.tv writes SubscribedAt as
// "2023-03-24 00:00:00 UTC" in XML and has been seen with RFC 3339 in JSON. It is zero when
// SubscribedAt is empty or in neither form.
func (s *Subscription) Since() time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05 MST", time.RFC3339} {
		if t, err := time.Parse(layout, s.SubscribedAt); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Profile holds the account's playback preferences.
type Profile struct {
	AutoSelectAudio              bool   `json:"autoSelectAudio" xml:"autoSelectAudio,attr"`
	DefaultAudioLanguage         string `json:"defaultAudioLanguage" xml:"defaultAudioLanguage,attr"`
	DefaultSubtitleLanguage      string `json:"defaultSubtitleLanguage" xml:"defaultSubtitleLanguage,attr"`
	AutoSelectSubtitle           int    `json:"autoSelectSubtitle" xml:"autoSelectSubtitle,attr"`
	DefaultSubtitleAccessibility int    `json:"defaultSubtitleAccessibility" xml:"defaultSubtitleAccessibility,attr"`
	DefaultSubtitleForced        int    `json:"defaultSubtitleForced" xml:"defaultSubtitleForced,attr"`
	WatchedIndicator             int    `json:"watchedIndicator" xml:"watchedIndicator,attr"`
	MediaReviewsVisibility       int    `json:"mediaReviewsVisibility" xml:"mediaReviewsVisibility,attr"`
	DefaultAudioAccessibility    int    `json:"defaultAudioAccessibility" xml:"defaultAudioAccessibility,attr"`
	// The language lists are JSON's alone (newer accounts).
	DefaultAudioLanguages    []string `json:"defaultAudioLanguages" xml:"-"`
	DefaultSubtitleLanguages []string `json:"defaultSubtitleLanguages" xml:"-"`
	MediaReviewsLanguages    []string `json:"mediaReviewsLanguages" xml:"-"`
}

// Service is a Plex service the account is connected to. Its token and secret, which plex.tv
// may include, are not kept.
type Service struct {
	Identifier string `json:"identifier" xml:"identifier,attr"`
	Endpoint   string `json:"endpoint" xml:"endpoint,attr"`
	Status     string `json:"status" xml:"status,attr"` // online, offline
}

// Joined returns when the account was created.
func (u *User) Joined() time.Time { return time.Unix(u.JoinedAt, 0).UTC() }

// HasPlexPass reports whether the account's subscription (Plex Pass) is active.
func (u *User) HasPlexPass() bool { return u.Subscription != nil && u.Subscription.Active }

// Me returns the account of token (GET /api/v2/user), or, when token is empty, of the client's
// token source. plex.tv answers 401 (plexkit.ErrUnauthorized) for an unknown or revoked token
// and 498 (plexkit.ErrTokenExpired) for an expired Plex JWT.
func (s *UsersService) Me(ctx context.Context, token string) (*User, error) {
	r := request{method: http.MethodGet, path: "/api/v2/user", authed: token == ""}
	if token != "" {
		r.token = auth.StaticTokenSource(&auth.Token{Value: token, Kind: auth.KindOf(token)})
	}
	var u User
	if err := s.c.do(ctx, r, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// userWithToken is a user object as plex.tv answers a sign-in or a Home switch: the account
// and its token.
type userWithToken struct {
	User
	AuthToken string `json:"authToken" xml:"authToken,attr"`
}

// token returns the answer's token, or an error naming the call when there is none. A Plex
// JWT is verified (plex.tv's signature, issuer, times) and gets its expiry; a legacy token has
// none that can be known.
func (u *userWithToken) token(ctx context.Context, c *Client, call string) (*auth.Token, error) {
	if err := auth.CheckValue(u.AuthToken); err != nil {
		return nil, fmt.Errorf("plextv: %s: the answer holds no usable authToken: %v", call, err)
	}
	tok := &auth.Token{Value: u.AuthToken, Kind: auth.KindOf(u.AuthToken)}
	if tok.Kind == auth.KindPlexJWT {
		claims, err := c.verifier.Verify(ctx, tok.Value, Expect{})
		if err != nil {
			return nil, fmt.Errorf("plextv: %s: the token plex.tv answered does not verify: %w", call, err)
		}
		tok.Expiry, tok.IssuedAt = claims.Expiry, claims.IssuedAt
	}
	return tok, nil
}

// SignInOptions are the credentials of a password sign-in.
type SignInOptions struct {
	// Login is the account's username or email.
	Login    string
	Password string
	// VerificationCode is the current code of the account's authenticator app, when the
	// account has two-factor authentication. Without it such an account is refused with
	// ErrVerificationCodeRequired.
	VerificationCode string
	// RememberMe asks plex.tv for a long-lived token.
	RememberMe bool
}

// CodeVerificationCodeRequired is plex.tv's error code for a sign-in that needs the account's
// two-factor verification code.
const CodeVerificationCodeRequired = 1029

// ErrVerificationCodeRequired matches (errors.Is) a sign-in refused because the account has
// two-factor authentication and no or a wrong verification code was given.
var ErrVerificationCodeRequired = errors.New("plextv: the account has two-factor authentication: give the verification code")

// CodeSignInLockedOut is plex.tv's error code for a sign-in refused after repeated failures
// ("This IP appears to be having trouble signing in…"), with 401 or 429.
const CodeSignInLockedOut = 1031

// ErrSignInLockedOut matches (errors.Is) a sign-in refused because of repeated failures: wait
// (the *plexkit.Error's RetryAfter, when plex.tv says) before trying again.
var ErrSignInLockedOut = errors.New("plextv: too many failed sign-ins: wait before trying again")

// ErrMissingCredentials is returned by SignIn when the login or the password is empty.
var ErrMissingCredentials = errors.New("plextv: sign-in needs a login (username or email) and a password")

// SignIn signs in with the account's username or email and password (POST
// /api/v2/users/signin) and returns the account and its legacy token.
//
// This is the legacy path, for programs that must take a password. The default, and what Plex
// recommends, is the JWT flow (Login): the person approves the device in a browser, the program
// never sees the password, and the device's key, not a long-lived secret, is what stays on the
// machine. A program that signed in here can move to it with LoginWithLegacyToken.
//
// A wrong password is plexkit.ErrUnauthorized; an account with two-factor authentication and
// no or a wrong code is also ErrVerificationCodeRequired; after repeated failures plex.tv
// refuses every attempt for a while (ErrSignInLockedOut, and plexkit.ErrRateLimited with the
// wait when it answers 429). SignIn is never retried.
func (s *UsersService) SignIn(ctx context.Context, opts SignInOptions) (*User, *auth.Token, error) {
	if strings.TrimSpace(opts.Login) == "" || opts.Password == "" {
		return nil, nil, ErrMissingCredentials
	}
	form := url.Values{
		"login":      {opts.Login},
		"password":   {opts.Password},
		"rememberMe": {fmt.Sprint(opts.RememberMe)},
	}
	if opts.VerificationCode != "" {
		form.Set("verificationCode", opts.VerificationCode)
	}
	var out userWithToken
	err := s.c.do(ctx, request{method: http.MethodPost, path: "/api/v2/users/signin", form: form}, &out)
	if err != nil {
		switch plexCode(err) {
		case CodeVerificationCodeRequired:
			return nil, nil, fmt.Errorf("%w: %w", ErrVerificationCodeRequired, err)
		case CodeSignInLockedOut:
			return nil, nil, fmt.Errorf("%w: %w", ErrSignInLockedOut, err)
		}
		return nil, nil, err
	}
	tok, err := out.token(ctx, s.c, "POST /api/v2/users/signin")
	if err != nil {
		return nil, nil, err
	}
	return &out.User, tok, nil
}

// plexCode returns the plex.tv error code of a refused call, or 0.
func plexCode(err error) int {
	var pe *plexkit.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return 0
}

// SignOut ends the token of the client's token source at plex.tv (DELETE
// /api/v2/users/signout): it stops working everywhere. It is the counterpart of SignIn; a
// program that logged in with a device key removes its device instead (Devices.Remove), which
// also revokes the key.
func (s *UsersService) SignOut(ctx context.Context) error {
	return s.c.do(ctx, request{method: http.MethodDelete, path: "/api/v2/users/signout", authed: true}, nil)
}
