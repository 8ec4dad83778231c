package plexkit

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ParseBaseURL checks the base URL of a plex.tv or Plex Media Server client: an absolute http(s)
// URL, possibly with a path prefix (a server behind a reverse proxy), without a query, fragment
// or credentials — a query could carry X-Plex-Token, and tokens go in a header, never in a URL.
// The returned URL's path has no trailing slash. The error never repeats a token.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", RedactURL(raw))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", RedactURL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, errors.New("the URL must not carry a query, fragment or credentials (tokens go in the X-Plex-Token header)")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// DefaultTransport is the transport of plexkit clients created without an http.Client of the
// caller's: one pool of connections shared by all of them, with a bound on the wait for
// response headers, so that a server that accepts a connection and never answers becomes an
// error the retry transport can act on instead of a hang.
var DefaultTransport = sync.OnceValue(func() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok { // the program replaced it: use its transport as it is
		return http.DefaultTransport
	}
	t = t.Clone()
	t.ResponseHeaderTimeout = 30 * time.Second
	return t
})
