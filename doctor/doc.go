// Package doctor explains why a call to a Plex Media Server is refused, in the terms of Plex's
// own model: the device key and its registration with plex.tv, the Plex JWT (or legacy token)
// and its signature, expiry and binding to the device, the account's servers with the access
// token plex.tv lists for each, and the role — admin (the server's owner) or shared user (an
// account the server is shared with) — that an operation needs.
//
// Run performs its checks in order and returns a Report with one Finding per check: passed,
// failed (with the cause and what to do), a warning, or skipped because a check it depends on
// failed. A cause that is a role says so plainly: roles come from whose token it is, and no
// scope can change them.
//
// No Finding ever holds a token, a device JWT or a key: causes name them by kind, and Detail
// holds only facts that are not secret (identifiers, times, HTTP statuses, server names).
package doctor
