package plextv_test

import (
	"testing"

	"github.com/plexkit/plexkit/plextv"
)

func TestConnectionKind(t *testing.T) {
	for _, tc := range []struct {
		c    plextv.Connection
		want string
	}{
		{plextv.Connection{Local: true}, "local"},
		{plextv.Connection{}, "remote"},
		{plextv.Connection{Relay: true}, "relay"},
		// plex.tv marks a relay neither local nor remote; should it say local, the relay wins.
		{plextv.Connection{Relay: true, Local: true}, "relay"},
	} {
		if got := tc.c.Kind(); got != tc.want {
			t.Errorf("%+v.Kind() = %q, want %q", tc.c, got, tc.want)
		}
	}
}
