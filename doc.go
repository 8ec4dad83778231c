// Package plexkit holds the types every plexkit package shares: ClientInfo (the X-Plex-*
// headers that identify a device to plex.tv and to Plex Media Servers), the typed Error that
// every client returns, token redaction, and the one retrying RoundTripper.
//
// The work is done by the sub-packages: devicekey (the device's Ed25519 key and device JWTs),
// auth (tokens, refresh, storage), plextv (plex.tv: login, refresh, verification, account,
// servers), pms (a Plex Media Server client), doctor (why a call was refused) and emulator
// (plex.tv and Plex Media Servers for tests).
package plexkit
