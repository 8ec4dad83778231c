package compat

import (
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// TestCtrlPlexAlerts drives @ctrl/plex's AlertListener, unchanged, against the emulator's
// notification websocket while the control API plays a movie.
func TestCtrlPlexAlerts(t *testing.T) {
	runSuite(t, "ctrlplex-live", emulator.Options{LibrarySize: 50, Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
}
