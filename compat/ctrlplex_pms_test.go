package compat

import (
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// TestCtrlPlexPMS drives @ctrl/plex, unchanged, against the emulator's servers: library,
// sections, media queries, shows, history, watch state, and a friend's remote connection;
// markers, extras, matching, media deletion, stream selection, sorts, hubs and genre choices.
// Where @ctrl/plex itself is wrong about Plex, the tests say so and assert its failure.
func TestCtrlPlexPMS(t *testing.T) {
	runSuite(t, "ctrlplex-pms", emulator.Options{LibrarySize: 200, Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
}
