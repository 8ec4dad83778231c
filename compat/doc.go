// Package compat holds plexkit's compatibility tests: real third-party Plex clients, pinned by
// the lockfile in testdata/, driven unchanged against the emulator. Our own client agreeing with
// our own emulator proves little when both share a misunderstanding; these clients were written
// against the real plex.tv and Plex Media Server.
//
// The tests need Node.js and the npm packages (npm ci --prefix compat/testdata). Without them
// they skip, unless CI=true or PLEXKIT_REQUIRE_COMPAT=1, which make them fail instead.
package compat
