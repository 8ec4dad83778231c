package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

// result is the outcome of one call to a server.
type result struct {
	status int
	err    error
}

// redirect reports whether the server answered with a redirect (3xx).
func (res result) redirect() bool { return res.status >= 300 && res.status < 400 }

// short says in a few words how the call ended.
func (res result) short() string {
	if res.status != 0 {
		return fmt.Sprintf("%d %s", res.status, statusWord(res.status))
	}
	return plexkit.Redact(res.err.Error())
}

func statusWord(code int) string {
	if code == plexkit.StatusTokenExpired {
		return "Token Expired"
	}
	return http.StatusText(code)
}

// identify asks the server at base for its machine identifier (GET /identity, no token),
// through the pms client, once: a probe that retried would hide how the connection behaves.
func (r *run) identify(ctx context.Context, base string) (string, error) {
	c, err := pms.NewClient(base,
		pms.WithHTTPClient(r.in.HTTPClient),
		pms.WithClientInfo(r.in.PlexTV.ClientInfo()),
		pms.WithRetry(plexkit.RetryTransport{MaxRetries: -1}))
	if err != nil {
		return "", err
	}
	id, err := c.Server.Identity(ctx)
	if err != nil {
		return "", err
	}
	if id.MachineIdentifier == "" {
		return "", errors.New("GET /identity answered without a machineIdentifier: not a Plex Media Server")
	}
	return id.MachineIdentifier, nil
}

// callTimeout bounds one call to a server that has already answered a probe.
const callTimeout = 30 * time.Second

// call makes method path on the server at base with token (none when empty), once, through
// pms.Client.Raw: the request path of the typed client (identification headers, the token in
// X-Plex-Token), with no retry, no refetch, no refresh and no redirect followed, so the diagnosis
// sees the server's first answer as it is. Refusals are mapped to *plexkit.Error.
func (r *run) call(base, token, method, path string) result {
	ctx, cancel := context.WithTimeout(r.ctx, callTimeout)
	defer cancel()
	opts := []pms.Option{pms.WithHTTPClient(r.in.HTTPClient), pms.WithClientInfo(r.in.PlexTV.ClientInfo())}
	if token != "" {
		opts = append(opts, pms.WithToken(token))
	}
	c, err := pms.NewClient(base, opts...)
	if err != nil {
		return result{err: err}
	}
	resp, err := c.Raw(ctx, method, path)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	if err := plexkit.CheckResponse(resp); err != nil {
		return result{status: resp.StatusCode, err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return result{status: resp.StatusCode}
}
