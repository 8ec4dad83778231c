package compat

import (
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// TestCtrlPlexLive judges the emulator's live side with outside clients: @ctrl/plex's
// AlertListener and its ws package on the notification websocket, Node's fetch on the event
// stream, and a multipart webhook receiver, while a player reports playback over /:/timeline.
// The clock is frozen so that every viewOffset is exactly what the player reported.
func TestCtrlPlexLive(t *testing.T) {
	runSuite(t, "ctrlplex-live", emulator.Options{LibrarySize: 40, FreezeClock: true})
}
