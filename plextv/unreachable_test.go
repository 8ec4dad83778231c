package plextv_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// TestLoginPlexTVGone: plex.tv stops answering while Login polls the PIN. Login reports each
// failed poll through OnRetry and gives up after MaxUnreachable of them in a row with the
// network error — not with ErrLoginTimeout, which would blame the person for not approving.
func TestLoginPlexTVGone(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dev := newDevice(t)
	c := newClient(t, e, dev, plextv.WithRetry(plexkit.RetryTransport{MaxRetries: -1}))
	var failures []int
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	_, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		PollInterval:   time.Millisecond,
		MaxUnreachable: 4,
		OnPin:          func(*plextv.Pin, string) { e.Close() },
		OnRetry:        func(_ error, n int) { failures = append(failures, n) },
	})
	var oe *net.OpError
	if !errors.As(err, &oe) || errors.Is(err, plextv.ErrLoginTimeout) {
		t.Fatalf("err = %v, want the network error", err)
	}
	if len(failures) != 3 || failures[0] != 1 || failures[2] != 3 {
		t.Errorf("OnRetry got %v, want [1 2 3] before giving up at the 4th", failures)
	}
}
