package pms

import "time"

// A server's connections rarely change which one answers: the one that won the last race
// usually wins the next. Given it (WithPreferredConnection), Connect tries it first, alone, and
// races the others only if it fails or has not answered within preferredHeadStart — so a repeat
// Connect costs one /identity round trip instead of waiting out the race grace for
// better-ranked connections that never answer. Within a process a Client keeps its connection
// (a refetch moves it only when plex.tv no longer lists it); across connects and processes the
// program keeps the winner — the previous client's BaseURL — itself: the plexkit CLI keeps it in
// its config directory.

// preferredHeadStart is how long the preferred connection is tried alone before the others
// join the race: longer than a round trip to a remote server, short enough that a preferred
// connection that went dead costs little, once (the caller then keeps the new winner).
const preferredHeadStart = 500 * time.Millisecond

// WithPreferredConnection names the connection Connect tries first: a URI (or base URL) that
// answered before, typically the BaseURL of an earlier client, saved across processes. It is
// used only when it is one of the server's listed connections (a stale entry is ignored). The
// empty string changes nothing.
func WithPreferredConnection(uri string) Option {
	return func(c *config) error {
		c.preferred = uri
		return nil
	}
}

// preferredBase returns the base URL (as candidate.base.String() spells it) of uri, or "".
func preferredBase(uri string) string {
	if uri == "" {
		return ""
	}
	u, err := parseBaseURL(uri)
	if err != nil {
		return ""
	}
	return u.String()
}
