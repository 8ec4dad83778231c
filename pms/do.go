package pms

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Do makes any request to the server through the client's one request path, for an operation
// the typed services do not cover: the X-Plex-* headers, Accept, the token in the X-Plex-Token
// header (never in the URL), retries of idempotent calls, the refetch on a 401 (WithRefetch),
// and refusals as *plexkit.Error (errors.Is(err, plexkit.ErrForbidden), …).
//
// path is relative to the client's base URL ("/library/sections/1/refresh"); it may carry a
// query, which query adds to. body, when not nil, is sent as it is (it is read into memory
// first, so that a retry can send it again); most PMS operations take their arguments in the
// query and no body.
//
// out receives the answer: nil discards it; an io.Writer receives the body as the server sent
// it (JSON unless the client was made WithXML); anything else is decoded from JSON or XML as
// the root element — in JSON the value under the top-level key, MediaContainer for most
// answers, in XML the root element itself — so one struct with json and xml tags, as this
// package's types have, reads both. An empty body (as PMS sends for many writes) leaves out
// untouched.
//
// Unlike Raw, which shows the server's first answer as it is, Do is what a program calls.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body io.Reader, out any) error {
	r, err := newRawRequest(method, path, query)
	if err != nil {
		return err
	}
	if body != nil {
		b, err := io.ReadAll(io.LimitReader(body, maxBody+1))
		if err != nil {
			return fmt.Errorf("pms: reading the request body: %w", err)
		}
		if len(b) > maxBody {
			return &ArgumentError{"body", errTooLarge.Error()}
		}
		r.body = b
	}
	r.into = out
	if out == nil {
		r.into = io.Discard
	}
	_, err = c.do(ctx, r)
	return err
}

// newRawRequest checks a method and a path given by a caller (Do, Raw) and returns the request
// for them, the path's query merged with query.
func newRawRequest(method, path string, query url.Values) (*request, error) {
	if method == "" {
		return nil, &ArgumentError{"method", "the method is empty"}
	}
	if strings.ContainsAny(method, " \t\r\n/") {
		return nil, &ArgumentError{"method", fmt.Sprintf("%q is not an HTTP method", method)}
	}
	pu, err := url.Parse(path)
	switch {
	case err != nil:
		return nil, &ArgumentError{"path", "it is not a URL path"}
	case pu.Scheme != "" || pu.Host != "" || pu.Opaque != "" || pu.User != nil:
		return nil, &ArgumentError{"path", "it must be a path relative to the server's base URL, not a URL of its own"}
	case pu.Fragment != "" || strings.HasSuffix(path, "#"):
		return nil, &ArgumentError{"path", "a fragment is never sent to a server"}
	case queryHasToken(pu.RawQuery):
		return nil, &ArgumentError{"path", "the query carries a token: it goes in the X-Plex-Token header (set it with WithToken)"}
	}
	for k := range query {
		if queryHasToken(url.QueryEscape(k)) {
			return nil, &ArgumentError{"query", "it carries a token: it goes in the X-Plex-Token header (set it with WithToken)"}
		}
	}
	r := &request{method: method, path: strings.TrimPrefix(pu.Path, "/")}
	if pu.RawPath != "" {
		r.rawPath = strings.TrimPrefix(pu.EscapedPath(), "/")
	}
	switch {
	case len(query) == 0:
		r.rawQuery = pu.RawQuery
	case pu.RawQuery == "":
		r.query = query
	default:
		// The path's query as written (its operators percent-encoded or not), then query's.
		r.rawQuery = pu.RawQuery + "&" + query.Encode()
	}
	return r, nil
}
