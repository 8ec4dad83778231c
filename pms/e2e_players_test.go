package pms_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// nextPlaying returns the next "playing" notification of the player id.
func nextPlaying(t *testing.T, l *listener, id string) pms.PlayingNotification {
	t.Helper()
	for {
		n := l.next(t, pms.TypePlaying)
		if n.Playing[0].ClientIdentifier == id {
			return n.Playing[0]
		}
	}
}

// videoTimeline returns the video timeline of the player r controls.
func videoTimeline(t *testing.T, r *pms.Remote) pms.PlayerTimeline {
	t.Helper()
	ts, err := r.Timelines(context.Background())
	must(t, err)
	for _, tl := range ts {
		if tl.Type == "video" {
			return tl
		}
	}
	t.Fatalf("no video timeline in %+v", ts)
	return pms.PlayerTimeline{}
}

// TestRemoteEndToEnd controls a player through the server: a playback started with the
// control API is paused, sought, resumed and stopped through Remote, and each command shows in
// /status/sessions, in the player's timelines and as a "playing" notification; PlayMedia then
// starts a session of another item on the same player.
func TestRemoteEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	ctx := context.Background()
	for enc, opts := range encodings() {
		player := "e2e-remote-" + enc
		alice := clientFor(t, e, "alice", nas, opts...)
		movies := playableMovies(t, alice, 0, 2)
		l := listen(t, alice, pms.NotificationOptions{})
		l.next(t, pms.TypeConnected)
		must(t, e.Play(emulator.Playback{Server: nas, User: "alice", Item: string(movies[0].RatingKey), Player: player, State: "playing", Offset: time.Minute}))
		if n := nextPlaying(t, l, player); n.State != "playing" {
			t.Fatalf("%s: started %+v", enc, n)
		}

		players, err := alice.Players.List(ctx)
		must(t, err)
		i := slices.IndexFunc(players, func(p pms.PlayerClient) bool { return p.MachineIdentifier == player })
		if i < 0 || players[i].Host == "" || !slices.Contains(players[i].Capabilities(), "playback") {
			t.Fatalf("%s: players %+v", enc, players)
		}

		r := alice.Players.Remote(player)
		must(t, r.Pause(ctx))
		if n := nextPlaying(t, l, player); n.State != "paused" || n.ViewOffset != 60000 {
			t.Errorf("%s: after Pause, notification %+v", enc, n)
		}
		if s := sessionOf(t, alice, player); s == nil || s.Player.State != "paused" {
			t.Errorf("%s: after Pause, session %+v", enc, s)
		}
		must(t, r.SeekTo(ctx, 2*time.Minute))
		must(t, r.SetVolume(ctx, 30))
		tl := videoTimeline(t, r)
		if tl.State != "paused" || tl.Position() != 2*time.Minute || tl.Volume != 30 || string(tl.RatingKey) != string(movies[0].RatingKey) {
			t.Errorf("%s: timeline %+v", enc, tl)
		}
		if act, ok := pms.ActiveTimeline([]pms.PlayerTimeline{{Type: "music", State: "stopped"}, tl}); !ok || act.Type != "video" {
			t.Errorf("%s: ActiveTimeline = %+v, %v", enc, act, ok)
		}
		must(t, r.Play(ctx))
		nextPlaying(t, l, player) // the seek
		if n := nextPlaying(t, l, player); n.State != "playing" || n.ViewOffset != 120000 {
			t.Errorf("%s: after Play, notification %+v", enc, n)
		}
		must(t, r.Stop(ctx))
		if n := nextPlaying(t, l, player); n.State != "stopped" {
			t.Errorf("%s: after Stop, notification %+v", enc, n)
		}
		if s := sessionOf(t, alice, player); s != nil {
			t.Errorf("%s: after Stop, session %+v", enc, s)
		}

		// PlayMedia starts the other movie on the same player, from a play queue of its own.
		must(t, r.PlayMedia(ctx, movies[1], pms.PlayMediaOptions{Offset: 10 * time.Second}))
		if n := nextPlaying(t, l, player); n.State != "playing" || string(n.RatingKey) != string(movies[1].RatingKey) || n.ViewOffset != 10000 {
			t.Errorf("%s: after PlayMedia, notification %+v", enc, n)
		}
		s := sessionOf(t, alice, player)
		if s == nil || string(s.RatingKey) != string(movies[1].RatingKey) || s.Player.State != "playing" {
			t.Fatalf("%s: after PlayMedia, session %+v", enc, s)
		}
		tl = videoTimeline(t, r)
		if tl.State != "playing" || tl.PlayQueueID == 0 || tl.PlayQueueItemID == 0 || !strings.HasPrefix(tl.ContainerKey, "/playQueues/") {
			t.Errorf("%s: timeline after PlayMedia %+v", enc, tl)
		}
		// A one-item queue has nothing next: SkipNext changes nothing.
		must(t, r.SkipNext(ctx))
		if s := sessionOf(t, alice, player); s == nil || string(s.RatingKey) != string(movies[1].RatingKey) {
			t.Errorf("%s: SkipNext past a one-item queue: %+v", enc, s)
		}
		must(t, r.Stop(ctx))
	}
}

func TestRemoteRefusals(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	ctx := context.Background()
	alice := clientFor(t, e, "alice", nas)
	bob := clientFor(t, e, "bob", nas)
	rk := string(playableMovies(t, alice, 0, 1)[0].RatingKey)
	must(t, e.Play(emulator.Playback{Server: nas, User: "alice", Item: rk, Player: "alices-tv", State: "playing"}))

	if err := bob.Players.Remote("alices-tv").Pause(ctx); !errors.Is(err, plexkit.ErrForbidden) {
		t.Errorf("bob pausing alice's player: %v, want forbidden", err)
	}
	if list, err := bob.Players.List(ctx); err != nil || slices.ContainsFunc(list, func(p pms.PlayerClient) bool { return p.MachineIdentifier == "alices-tv" }) {
		t.Errorf("bob's players: %+v, %v", list, err)
	}
	if err := alice.Players.Remote("nobody").Pause(ctx); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("pausing an unknown player: %v, want not found", err)
	}
	r := alice.Players.Remote("alices-tv")
	var ae *pms.ArgumentError
	if err := r.SetVolume(ctx, 101); !errors.As(err, &ae) {
		t.Errorf("SetVolume(101): %v, want an ArgumentError before any request", err)
	}
	if err := r.SeekTo(ctx, -time.Second); !errors.As(err, &ae) {
		t.Errorf("SeekTo(-1s): %v, want an ArgumentError before any request", err)
	}
	if s := sessionOf(t, alice, "alices-tv"); s == nil || s.Player.State != "playing" {
		t.Errorf("refused commands changed the session: %+v", s)
	}
}

// commandIDs records the commandID of every /player/ request it carries.
type commandIDs struct {
	mu  sync.Mutex
	ids []string
}

func (c *commandIDs) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/player/") {
		c.mu.Lock()
		c.ids = append(c.ids, r.URL.Query().Get("commandID")+" "+r.Header.Get("X-Plex-Target-Client-Identifier")+" "+r.URL.Query().Get("type"))
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestRemoteCommandIDs checks what goes on the wire: each Remote counts its commands from 1,
// as python-plexapi counts per PlexClient, and names its player in
// X-Plex-Target-Client-Identifier; SetMediaType adds type= to playback commands only.
func TestRemoteCommandIDs(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	ctx := context.Background()
	rec := &commandIDs{}
	alice := clientFor(t, e, "alice", nas, pms.WithHTTPClient(&http.Client{Transport: rec}))
	rk := string(playableMovies(t, alice, 0, 1)[0].RatingKey)
	must(t, e.Play(emulator.Playback{Server: nas, User: "alice", Item: rk, Player: "tv-1", State: "playing"}))
	must(t, e.Play(emulator.Playback{Server: nas, User: "alice", Item: rk, Player: "tv-2", State: "playing"}))

	one, two := alice.Players.Remote("tv-1"), alice.Players.Remote("tv-2")
	one.SetMediaType("video")
	must(t, one.Pause(ctx))
	must(t, two.Pause(ctx))
	must(t, one.Play(ctx))
	_, err := one.Timelines(ctx)
	must(t, err)
	want := []string{"1 tv-1 video", "1 tv-2 ", "2 tv-1 video", "3 tv-1 "}
	if !slices.Equal(rec.ids, want) {
		t.Errorf("commandIDs %q, want %q", rec.ids, want)
	}
	if s := sessionOf(t, alice, "tv-2"); s == nil || s.Player.State != "paused" {
		t.Errorf("tv-2 after its pause: %+v", s)
	}
}
