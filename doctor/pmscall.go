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

// call makes method path on the server at base with token.
func (r *run) call(base, token, method, path string) result {
	ctx, cancel := context.WithTimeout(r.ctx, callTimeout)
	defer cancel()
	return r.send(ctx, base, token, method, path)
}

// send makes one call to a server, as a program would: identification headers, the token in
// X-Plex-Token, refusals mapped to *plexkit.Error. It does not go through pms.Client on purpose:
// the diagnosis needs the server's first answer to any operation, unretried, whereas the typed
// client covers chosen operations and re-fetches the server's token on a 401.
func (r *run) send(ctx context.Context, base, token, method, path string) result {
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		return result{err: err}
	}
	r.in.PlexTV.ClientInfo().SetHeaders(req.Header)
	if token != "" {
		req.Header.Set("X-Plex-Token", token)
	}
	resp, err := r.in.HTTPClient.Do(req)
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
