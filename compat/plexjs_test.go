package compat

import (
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// TestPlexJS drives @lukehagar/plexjs, the SDK generated from Plex's own OpenAPI, through every
// one of its operations against the emulator (testdata/plexjs).
func TestPlexJS(t *testing.T) {
	runSuite(t, "plexjs", emulator.Options{LibrarySize: 100})
}
