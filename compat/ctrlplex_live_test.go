package compat

import (
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// TestCtrlPlexLive judges the emulator's live side with outside clients, unchanged: @ctrl/plex's
// AlertListener and its ws package on the notification websocket, Node's fetch on the event
// stream, and a multipart webhook receiver, while players report playback over /:/timeline and
// the control API plays, remote access goes down and up (reachability), and the butler backs up
// the database (admin.database.backup). The clock is frozen so that every viewOffset is exactly what was
// reported; the tests that need time to pass advance it through the control API.
func TestCtrlPlexLive(t *testing.T) {
	runSuite(t, "ctrlplex-live", emulator.Options{LibrarySize: 50, FreezeClock: true})
}
