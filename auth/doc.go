// Package auth owns plexkit's tokens once they exist: the Token type (a Plex JWT or a legacy
// token), the context-aware TokenSource, CachedSource (reuse until a day before expiry, one
// refresh shared by all callers, and across processes through a Store's lock), the FileStore
// that keeps a token in an atomically written 0600 file, and the Transport that puts a token in
// the X-Plex-Token header of requests.
//
// How a token is obtained in the first place (device keys, PINs, the device-JWT exchange) is
// the business of the plextv package, whose JWTSource is the inner source a CachedSource wraps.
//
// Token values never appear in this package's errors or in the text, log or JSON forms of a
// Token; the only place a value is written is the token file (EncodeToken).
package auth
