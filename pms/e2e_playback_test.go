package pms_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// playerFor returns a client for user on the named server that reports as the player with
// client identifier id: the server keys a playback session by it.
func playerFor(tb testing.TB, e *emulator.Emulator, user, server, id string, opts ...pms.Option) *pms.Client {
	tb.Helper()
	return clientFor(tb, e, user, server, append([]pms.Option{pms.WithClientInfo(plexkit.DefaultClientInfo(id))}, opts...)...)
}

// playableMovies returns n playable movies of alice-nas's Movies section, from the start'th on.
func playableMovies(tb testing.TB, c *pms.Client, start, n int) []pms.Item {
	tb.Helper()
	items := collectItems(tb, c.Library.Items(context.Background(), "1", pms.ItemsOptions{Start: start, Limit: n}))
	if len(items) != n {
		tb.Fatalf("section 1 has %d movies from %d, want %d", len(items), start, n)
	}
	for _, it := range items {
		if it.Duration <= 0 {
			tb.Fatalf("movie %s has no duration", it.RatingKey)
		}
	}
	return items
}

// sessionOf returns the session of the player with client identifier id, or nil.
func sessionOf(tb testing.TB, c *pms.Client, id string) *pms.Session {
	tb.Helper()
	list, err := c.Sessions.List(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for i := range list {
		if list[i].Player.MachineIdentifier == id {
			return &list[i]
		}
	}
	return nil
}

// historyOf returns the plays of the item rk.
func historyOf(tb testing.TB, c *pms.Client, rk string) []pms.HistoryEntry {
	tb.Helper()
	h, err := c.History.ListAll(context.Background(), pms.HistoryOptions{MetadataItemID: rk})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// TestWatchProgressEndToEnd reports playback through the timeline as a player does and reads
// the account's state back: the progress becomes the item's viewOffset, a playing report is a
// session the owner sees, and a report past 90 % marks the item watched with a history row.
func TestWatchProgressEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	ctx := context.Background()
	i := 0
	for enc, opts := range encodings() {
		player := "e2e-progress-" + enc
		alice := playerFor(t, e, "alice", nas, player, opts...)
		it := playableMovies(t, alice, 10+2*i, 1)[0]
		i++
		rk, dur := string(it.RatingKey), it.DurationTime()
		before, err := alice.Metadata.Get(ctx, rk)
		must(t, err)
		plays := len(historyOf(t, alice, rk))

		quarter := (dur / 4).Truncate(time.Millisecond)
		must(t, alice.Watch.SetProgress(ctx, rk, quarter))
		got, err := alice.Metadata.Get(ctx, rk)
		if err != nil || time.Duration(got.ViewOffset)*time.Millisecond != quarter {
			t.Fatalf("%s: after SetProgress(%v), Get = viewOffset %v, %v", enc, quarter, time.Duration(got.ViewOffset)*time.Millisecond, err)
		}
		if s := sessionOf(t, alice, player); s != nil {
			t.Errorf("%s: a stopped report made a session: %+v", enc, s)
		}

		half := (dur / 2).Truncate(time.Millisecond)
		must(t, alice.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: half, Duration: dur}))
		s := sessionOf(t, alice, player)
		if s == nil || string(s.RatingKey) != rk || s.Player.State != pms.StatePlaying || time.Duration(s.ViewOffset)*time.Millisecond != half {
			t.Fatalf("%s: after a playing report at %v, the player's session is %+v", enc, half, s)
		}
		got, err = alice.Metadata.Get(ctx, rk)
		if err != nil || time.Duration(got.ViewOffset)*time.Millisecond != half || got.ViewCount != before.ViewCount {
			t.Fatalf("%s: while playing at %v, Get = viewOffset %d viewCount %d, %v", enc, half, got.ViewOffset, got.ViewCount, err)
		}
		if n := len(historyOf(t, alice, rk)); n != plays {
			t.Errorf("%s: halfway through, %d plays in the history, want %d", enc, n, plays)
		}

		near := (dur * 95 / 100).Truncate(time.Millisecond)
		must(t, alice.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: near, Duration: dur}))
		got, err = alice.Metadata.Get(ctx, rk)
		if err != nil || got.ViewCount != before.ViewCount+1 || got.ViewOffset != 0 {
			t.Errorf("%s: past 90 %%, Get = viewCount %d (was %d) viewOffset %d, %v; want watched with no resume point",
				enc, got.ViewCount, before.ViewCount, got.ViewOffset, err)
		}
		h := historyOf(t, alice, rk)
		if len(h) != plays+1 {
			t.Fatalf("%s: past 90 %%, %d plays in the history, want %d", enc, len(h), plays+1)
		}
		// A server lists its owner as local account 1, whatever the plex.tv id.
		if !slices.ContainsFunc(h, func(r pms.HistoryEntry) bool {
			return r.AccountID == 1 && string(r.RatingKey) == rk && r.Viewed().Equal(e.Now().Truncate(time.Second))
		}) {
			t.Errorf("%s: no history row of alice playing %s now (%v) in %+v", enc, rk, e.Now(), h)
		}

		// Further reports in the same session do not count the play again.
		must(t, alice.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: near + time.Second, Duration: dur}))
		must(t, alice.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StateStopped, Time: near + time.Second, Duration: dur}))
		if n := len(historyOf(t, alice, rk)); n != plays+1 {
			t.Errorf("%s: after more reports and a stop, %d plays, want %d", enc, n, plays+1)
		}
		if s := sessionOf(t, alice, player); s != nil {
			t.Errorf("%s: the session outlived its stopped report: %+v", enc, s)
		}
	}

	// Progress is per account: bob's report moves bob's resume point, not alice's.
	alice := playerFor(t, e, "alice", nas, "e2e-progress-alice")
	bob := playerFor(t, e, "bob", nas, "e2e-progress-bob")
	it := playableMovies(t, alice, 20, 1)[0]
	rk := string(it.RatingKey)
	third := (it.DurationTime() / 3).Truncate(time.Millisecond)
	must(t, bob.Watch.SetProgress(ctx, rk, third))
	b, err := bob.Metadata.Get(ctx, rk)
	must(t, err)
	a, err := alice.Metadata.Get(ctx, rk)
	must(t, err)
	if time.Duration(b.ViewOffset)*time.Millisecond != third || a.ViewOffset != 0 {
		t.Errorf("after bob's SetProgress(%v): bob reads viewOffset %d, alice %d; want %d and 0", third, b.ViewOffset, a.ViewOffset, third.Milliseconds())
	}
}

// TestTerminateEndToEnd terminates a real session: bob's player reports playing, the owner
// finds the session and terminates it with a reason; the session is gone, and bob's player
// learns of it, with the reason, on its next report.
func TestTerminateEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	ctx := context.Background()
	for enc, opts := range encodings() {
		player := "e2e-terminate-" + enc
		alice := clientFor(t, e, "alice", nas, opts...)
		bob := playerFor(t, e, "bob", nas, player, opts...)
		it := playableMovies(t, alice, 30, 1)[0]
		rk, dur := string(it.RatingKey), it.DurationTime()
		must(t, bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: time.Minute, Duration: dur}))
		s := sessionOf(t, alice, player)
		if s == nil || s.Session.ID == "" || ratingKeyInt(t, s.User.ID) != userID(t, e, "bob") {
			t.Fatalf("%s: bob's playing report made the session %+v", enc, s)
		}

		must(t, alice.Sessions.Terminate(ctx, s.Session.ID, "Go away "+enc))
		if s := sessionOf(t, alice, player); s != nil {
			t.Fatalf("%s: after Terminate, the session is still listed: %+v", enc, s)
		}
		err := bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: time.Minute + 10*time.Second, Duration: dur})
		var term *pms.TerminatedError
		if !errors.As(err, &term) || term.Code != 2006 || term.Text != "Admin terminated playback with reason: Go away "+enc {
			t.Fatalf("%s: the terminated player's next Report = %v, want a *pms.TerminatedError with the reason", enc, err)
		}
		if s := sessionOf(t, alice, player); s != nil {
			t.Errorf("%s: the terminated player's report made a session again: %+v", enc, s)
		}
		if err := alice.Sessions.Terminate(ctx, s.Session.ID, ""); !errors.Is(err, plexkit.ErrNotFound) {
			t.Errorf("%s: a second Terminate of the ended session = %v, want not found", enc, err)
		}

		// The termination is told once: the player may start playing again.
		must(t, bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: 0, Duration: dur}))
		if again := sessionOf(t, alice, player); again == nil || again.Session.ID == s.Session.ID {
			t.Errorf("%s: after the player started again, its session is %+v; want a new one", enc, again)
		}
	}
}

// TestTranscodeSessionsEndToEnd lists the transcode of a session a player started transcoded,
// and sees it go when the player stops.
func TestTranscodeSessionsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	for enc, opts := range encodings() {
		player := "e2e-transcode-" + enc
		alice := clientFor(t, e, "alice", nas, opts...)
		it := playableMovies(t, alice, 40, 1)[0]
		rk := string(it.RatingKey)
		_, before := listedTranscode(t, alice, "")

		must(t, e.Play(emulator.Playback{Server: nas, User: "bob", Item: rk, Player: player, State: "playing", Offset: time.Minute, Transcode: true}))
		s := sessionOf(t, alice, player)
		if s == nil || s.TranscodeSession == nil || s.TranscodeSession.ID() == "" {
			t.Fatalf("%s: the transcoded playback's session is %+v", enc, s)
		}
		id := s.TranscodeSession.ID()
		found, n := listedTranscode(t, alice, id)
		if n != before+1 || found == nil || found.Key != id || found.VideoDecision == "" {
			t.Fatalf("%s: TranscodeSessions lists %d (before: %d), with %+v; want the session's transcode %q", enc, n, before, found, id)
		}

		must(t, e.Play(emulator.Playback{Server: nas, User: "bob", Item: rk, Player: player, State: "stopped", Offset: 2 * time.Minute}))
		if ts, _ := listedTranscode(t, alice, id); ts != nil {
			t.Errorf("%s: the stopped session's transcode is still listed: %+v", enc, ts)
		}
	}
}

// TestTranscodeDecisionEndToEnd starts a transcode as a player does: it asks the server's
// decision with direct play refused, then reports playing; the session is transcoded and
// Server.TranscodeSessions lists its transcode until the player stops.
func TestTranscodeDecisionEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50, FreezeClock: true})
	ctx := context.Background()
	for enc, opts := range encodings() {
		player := "e2e-decision-" + enc
		alice := clientFor(t, e, "alice", nas, opts...)
		bob := playerFor(t, e, "bob", nas, player, opts...)
		it := playableMovies(t, alice, 44, 1)[0]
		rk, dur := string(it.RatingKey), it.DurationTime()

		// A direct-play report first: no transcode.
		must(t, bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: time.Minute, Duration: dur}))
		if s := sessionOf(t, alice, player); s == nil || s.TranscodeSession != nil {
			t.Fatalf("%s: a direct play's session is %+v, want one without a transcode", enc, s)
		}
		must(t, bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StateStopped, Time: time.Minute, Duration: dur}))

		resp, err := bob.Raw(ctx, http.MethodGet, "/video/:/transcode/universal/decision?directPlay=0&path=%2Flibrary%2Fmetadata%2F"+rk)
		must(t, err)
		resp.Body.Close()
		must(t, plexkit.CheckResponse(resp))
		must(t, bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StatePlaying, Time: time.Minute, Duration: dur}))
		s := sessionOf(t, alice, player)
		if s == nil || s.TranscodeSession == nil {
			t.Fatalf("%s: after a decision refusing direct play, the session is %+v, want a transcode", enc, s)
		}
		if ts, _ := listedTranscode(t, alice, s.TranscodeSession.ID()); ts == nil {
			t.Fatalf("%s: TranscodeSessions lacks the player's transcode %q", enc, s.TranscodeSession.ID())
		}
		must(t, bob.Watch.Report(ctx, pms.Timeline{RatingKey: rk, State: pms.StateStopped, Time: 2 * time.Minute, Duration: dur}))
		if ts, _ := listedTranscode(t, alice, s.TranscodeSession.ID()); ts != nil {
			t.Errorf("%s: the stopped player's transcode is still listed: %+v", enc, ts)
		}
	}
}

// listedTranscode reads the server's transcode sessions as c and returns the one with this id
// (nil when it is not listed) and how many are listed.
func listedTranscode(t *testing.T, c *pms.Client, id string) (*pms.TranscodeSession, int) {
	t.Helper()
	list, err := c.Server.TranscodeSessions(context.Background())
	must(t, err)
	for i := range list {
		if list[i].ID() == id {
			return &list[i], len(list)
		}
	}
	return nil, len(list)
}
