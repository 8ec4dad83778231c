package compat

import (
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// TestCtrlPlexMyPlex drives @ctrl/plex's plex.tv side, unchanged, against the emulator: web
// PIN login, MyPlexAccount by token and by password (two-factor included), resources and the
// owned server's token at plex.tv, devices (and removing one), friends, webhooks, claim token.
func TestCtrlPlexMyPlex(t *testing.T) {
	runSuite(t, "ctrlplex-myplex", emulator.Options{LibrarySize: 100})
}
