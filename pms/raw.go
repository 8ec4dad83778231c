package pms

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/plexkit/plexkit/auth"
)

// Raw makes one request to the server, for an operation the typed services do not cover or to
// see how the server answers. It goes through the same request path as the typed calls: the
// X-Plex-* headers, Accept, the context, and the token in the X-Plex-Token header (never in the
// URL). Unlike them it makes a single try, so the answer is the server's first one, as is: no
// retry (429, 5xx, network errors), no token refresh on a 498, no refetch (WithRefetch) on a
// 401, and redirects are not followed — a 3xx is returned, and the token never goes where it
// points.
//
// Any method may be given; the request has no body, so Raw suits GET and HEAD, and operations
// that take their arguments in the query. path is relative to the client's base URL, e.g.
// "/library/sections" or "/library/sections/1/all?type=1": it may carry a query, but not a
// host, a fragment, nor a token.
//
// Every answer the server gives is returned with a nil error, whatever its status;
// plexkit.CheckResponse maps a refusal to a *plexkit.Error. The caller must close the body.
// A request that could not be made or got no answer is an error.
func (c *Client) Raw(ctx context.Context, method, path string) (*http.Response, error) {
	r, err := newRawRequest(method, path, nil)
	if err != nil {
		return nil, err
	}
	r.once = true
	return c.send(ctx, c.route.Load(), r)
}

// queryHasToken reports whether a raw query names X-Plex-Token, in any case or escaping.
func queryHasToken(raw string) bool {
	if raw == "" {
		return false
	}
	if strings.Contains(strings.ToLower(raw), strings.ToLower(auth.TokenHeader)) {
		return true
	}
	values, _ := url.ParseQuery(raw) // what parses; an unparsable part is sent as it is
	for k := range values {
		if strings.EqualFold(k, auth.TokenHeader) {
			return true
		}
	}
	return false
}
