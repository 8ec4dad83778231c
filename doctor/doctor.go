package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/plextv"
)

// Input is what is known about the refused call. Only PlexTV is required; every check whose
// input is absent is skipped with the reason.
type Input struct {
	// PlexTV is the plex.tv client. Its ClientInfo identifies this installation, and its clock
	// is the one expiry is judged by.
	PlexTV *plextv.Client
	// Device is this installation's device key and client identifier, when it has one.
	Device *devicekey.Device
	// Token is the account token to diagnose: a Plex JWT or a legacy token.
	Token string
	// Pasted says the person brought Token (plexkit doctor --token): their program presents it
	// to servers as it is, so a server that refuses it fails the diagnosis even when the
	// server's own access token would be accepted. Without Pasted, Token is plexkit's own,
	// which reaches every server with the access token plex.tv lists for it.
	Pasted bool
	// DeviceJWT is a device JWT to inspect, as a program signed it for a PIN poll or a refresh.
	DeviceJWT string
	// PinID is a PIN to look up: whether a person has approved it.
	PinID int64
	// Server selects the server: its name, its machine identifier, or a URL. Empty means the
	// account's only server.
	//
	// Tokens go only where plex.tv vouches for them: the account's token to the connections
	// plex.tv lists for a server the account owns; to a server it does not own, only that
	// server's access token from plex.tv; to a URL plex.tv does not list, nothing — unless
	// Pasted, when Token goes to the URL the person named.
	Server string
	// Method and Path are the call to diagnose; empty means GET /status/sessions. Only GET and
	// HEAD calls are made; others are judged by role alone.
	Method, Path string
	// HTTPClient carries the requests to servers; nil means a client with no timeout of its
	// own (each probe is bounded by ProbeTimeout, each call by 30 s). Redirects are never
	// followed, so that the token goes nowhere else.
	HTTPClient *http.Client
	// ProbeTimeout bounds each probe of a server connection; 0 means 5 s.
	ProbeTimeout time.Duration
}

// DefaultMethod and DefaultPath are the call diagnosed when Input names none: the list of
// playing sessions, the admin-only operation people most often find refused.
const (
	DefaultMethod = http.MethodGet
	DefaultPath   = "/status/sessions"
)

const defaultProbeTimeout = 5 * time.Second

// ErrNoClient is the cause Run reports when Input.PlexTV is nil.
var ErrNoClient = errors.New("doctor: Input.PlexTV is nil: a plex.tv client is required")

// Run diagnoses the call described by in and returns the findings of every check, in order.
// It never returns nil. It sends GET requests to plex.tv (the account, its servers, a PIN),
// probes the server's connections, and makes the call itself when it is a GET or HEAD.
//
// When a device is given, Run asks plex.tv whether it still knows the device's key only when
// GET /api/v2/user did not settle it: if plex.tv accepts the token and the token is bound to
// this device's key, the key is registered; if plex.tv accepts a token not bound to it, the
// diagnosis does not depend on the device and the check is skipped. Otherwise (no token, or a
// token plex.tv refuses) Run refreshes once with the device key — a nonce and an exchange,
// which count against plex.tv's rate limit and, on Plex, end a legacy token the device registered
// its key with — and throws the new token away. The token it is given is never changed or
// stored.
func Run(ctx context.Context, in Input) *Report {
	r := &run{in: in, ctx: ctx, outcome: map[string]Status{}}
	if in.PlexTV == nil {
		r.add(Finding{Check: CheckTokenKind, Status: Fail, Cause: ErrNoClient.Error(),
			Fix: "create the client with plextv.NewClient and set Input.PlexTV"})
		return r.report()
	}
	r.normalize()
	r.step(CheckPin, nil, r.checkPin)
	r.step(CheckDeviceJWT, nil, r.checkDeviceJWT)
	r.step(CheckDeviceJWTKeyID, []string{CheckDeviceJWT}, r.checkDeviceJWTKeyID)
	r.step(CheckDeviceJWTSignature, []string{CheckDeviceJWT}, r.checkDeviceJWTSignature)
	r.step(CheckDeviceJWTScopes, []string{CheckDeviceJWT}, r.checkDeviceJWTScopes)
	r.step(CheckDeviceJWTClaims, []string{CheckDeviceJWT}, r.checkDeviceJWTClaims)
	r.step(CheckTokenKind, nil, r.checkTokenKind)
	r.step(CheckTokenDecodes, []string{CheckTokenKind}, r.checkTokenDecodes)
	r.step(CheckTokenSignature, []string{CheckTokenDecodes}, r.checkTokenSignature)
	r.step(CheckTokenExpiry, []string{CheckTokenDecodes}, r.checkTokenExpiry)
	r.step(CheckTokenThumbprint, []string{CheckTokenDecodes}, r.checkTokenThumbprint)
	r.step(CheckPlexTVAccepts, []string{CheckTokenKind}, r.checkPlexTVAccepts)
	r.step(CheckDeviceRegistered, nil, r.checkDeviceRegistered)
	r.step(CheckServerListed, []string{CheckPlexTVAccepts}, r.checkServerListed)
	r.step(CheckServerToken, []string{CheckServerListed}, r.checkServerToken)
	r.step(CheckConnections, []string{CheckServerListed}, r.checkConnections)
	r.step(CheckServerAcceptsTokens, []string{CheckConnections}, r.checkServerAcceptsTokens)
	r.step(CheckRole, []string{CheckServerListed}, r.checkRole)
	r.step(CheckCall, []string{CheckConnections}, r.checkCall)
	return r.report()
}

// run is the state one diagnosis builds up as its checks pass.
type run struct {
	in      Input
	ctx     context.Context
	out     []Finding
	outcome map[string]Status

	method, path string

	// the account token
	kind     tokenKind
	decoded  *plextv.Decoded
	accepted *plextv.User
	regDone  bool  // registration was asked
	regErr   error // what plex.tv said to a refresh with the device key

	pinPending bool // the PIN asked about is not approved

	// the device JWT
	deviceJWT *plextv.Decoded

	// the server
	server    *plextv.Resource // nil when the server is not among the account's
	serverURL string           // the URL the person named: the one connection to diagnose
	identity  *probe           // what answered at serverURL
	live      string           // base URL of a connection that answered with the right identity
	useToken  string           // the token the call is made with
	useSource string           // where useToken comes from, in words
}

// normalize fills in the defaults of the input.
func (r *run) normalize() {
	r.method = strings.ToUpper(strings.TrimSpace(r.in.Method))
	if r.method == "" {
		r.method = DefaultMethod
	}
	r.path = strings.TrimSpace(r.in.Path)
	if r.path == "" {
		r.path = DefaultPath
	}
	if !strings.HasPrefix(r.path, "/") {
		r.path = "/" + r.path
	}
	r.in.Token = strings.TrimSpace(r.in.Token)
	r.in.DeviceJWT = strings.TrimSpace(r.in.DeviceJWT)
	if r.in.ProbeTimeout <= 0 {
		r.in.ProbeTimeout = defaultProbeTimeout
	}
	hc := http.Client{}
	if r.in.HTTPClient != nil {
		hc = *r.in.HTTPClient
	}
	// A redirect would carry X-Plex-Token to wherever it points; the diagnosis reports it instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r.in.HTTPClient = &hc
}

// step runs check unless a check it depends on did not pass. A check function returns nil when
// its input is absent and it has nothing to say: it then leaves no finding.
func (r *run) step(check string, deps []string, fn func() *Finding) {
	for _, d := range deps {
		switch st, ran := r.outcome[d]; {
		case !ran:
			r.outcome[check] = Skip
			return
		case st == Fail:
			r.add(Finding{Check: check, Status: Skip, Cause: fmt.Sprintf("not checked: %q failed", d)})
			return
		case st == Skip:
			r.outcome[check] = Skip
			if r.hasFinding(d) {
				r.add(Finding{Check: check, Status: Skip, Cause: fmt.Sprintf("not checked: %q was skipped", d)})
			}
			return
		}
	}
	if err := r.ctx.Err(); err != nil {
		r.add(Finding{Check: check, Status: Skip, Cause: "not checked: " + err.Error()})
		return
	}
	f := fn()
	if f == nil {
		r.outcome[check] = Skip
		return
	}
	f.Check = check
	r.add(*f)
}

func (r *run) hasFinding(check string) bool {
	for _, f := range r.out {
		if f.Check == check {
			return true
		}
	}
	return false
}

// add records f after scrubbing any secret that slipped into its text or its Detail.
func (r *run) add(f Finding) {
	f.Cause = r.scrub(f.Cause)
	f.Fix = r.scrub(f.Fix)
	if f.Detail != nil {
		f.Detail = r.scrubValue(f.Detail).(map[string]any)
	}
	r.out = append(r.out, f)
	r.outcome[f.Check] = f.Status
}

// scrub removes the secrets of this run from s: the token, the device JWT, the server token.
func (r *run) scrub(s string) string {
	return plexkit.RedactSecrets(s, r.in.Token, r.in.DeviceJWT, r.useToken)
}

// scrubValue returns v with every string in it scrubbed, descending into maps, slices and arrays;
// containers are copied, never changed in place. Values without strings (numbers, times) are
// returned as they are.
func (r *run) scrubValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return r.scrub(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = r.scrub(s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[r.scrub(k)] = r.scrubValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.scrubValue(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return r.scrub(rv.String())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return v
		}
		return r.scrubValue(rv.Elem().Interface())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return v
		}
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return r.scrub(string(rv.Bytes()))
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = r.scrubValue(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.IsNil() {
			return v
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[r.scrub(fmt.Sprint(it.Key().Interface()))] = r.scrubValue(it.Value().Interface())
		}
		return out
	}
	return v
}

func (r *run) report() *Report {
	rep := &Report{Findings: r.out, OK: true}
	for _, f := range r.out {
		if f.Status == Fail {
			rep.OK = false
		}
	}
	return rep
}

func (r *run) now() time.Time { return r.in.PlexTV.Now() }

// clientID is the client identifier of this installation.
func (r *run) clientID() string { return r.in.PlexTV.ClientInfo().ClientIdentifier }

func pass(cause string, detail map[string]any) *Finding {
	return &Finding{Status: Pass, Cause: cause, Detail: detail}
}

func fail(cause, fix string, detail map[string]any) *Finding {
	return &Finding{Status: Fail, Cause: cause, Fix: fix, Detail: detail}
}

func warn(cause, fix string, detail map[string]any) *Finding {
	return &Finding{Status: Warn, Cause: cause, Fix: fix, Detail: detail}
}

func skip(cause string) *Finding { return &Finding{Status: Skip, Cause: cause} }

// ago says how long ago t was, or how long until it, in rounded words.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in " + roundDuration(-d)
	}
	return roundDuration(d) + " ago"
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	default:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	}
}
