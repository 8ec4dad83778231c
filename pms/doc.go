// Package pms is a client for the HTTP API of a Plex Media Server (PMS), one service per area:
// the server's identity, capabilities and administration (Server, Prefs, Butler, Activities,
// Statistics), playing sessions and history, the library (sections, scans, items and their
// children, On Deck, hubs), media queries (Query, validated against the section's Meta),
// metadata (edits, matches, markers, extras, URLs with transient tokens), watch state,
// playlists, collections, play queues, search, and transient tokens. Client.Do reaches any other
// endpoint through the same request path.
//
// A client is made for a known address with NewClient, or for a server plex.tv lists (a
// ServerRef, built from GET /api/v2/resources) with Connect, which races the server's
// connections and keeps the first that answers as the right server. Present the server's
// accessToken from those resources (WithToken, or ServerRef.AccessToken): servers have been seen
// to refuse the account's Plex JWT. WithRefetch makes the client fetch the reference again and
// retry once when the server answers 401.
//
// Every request goes through one path: it resolves the endpoint against the base URL (a path
// prefix, as behind a reverse proxy, is kept), sets the X-Plex-* headers, Accept, and the token
// in the X-Plex-Token header (never in the URL), retries idempotent calls through
// plexkit.RetryTransport, and maps refusals to *plexkit.Error (errors.Is(err,
// plexkit.ErrUnauthorized), …).
//
// Answers decode from JSON (the default) or XML (WithXML) into the same types. Plex encodes
// some scalars inconsistently, so numbers, booleans and ids use the tolerant FlexInt,
// FlexFloat, FlexBool and FlexString. Long lists (Library.Items, History.List) are iterators
// that fetch a page at a time and decode items as they arrive: memory stays flat whatever the
// size of the library.
package pms
