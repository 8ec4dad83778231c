package pms_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// Frames as servers send them (reference plex-live.md §1.6, §1.8, §1.10).
var benchFrames = map[string][]byte{
	"playing":   []byte(`{"NotificationContainer":{"type":"playing","size":1,"PlaySessionStateNotification":[{"sessionKey":"29","clientIdentifier":"abcdefghijklmnopqrstuvwx","guid":"","ratingKey":"1001","url":"","key":"/library/metadata/1001","viewOffset":154000,"state":"playing","transcodeSession":"t0t1t2t3t4t5t6t7t8t9t0t1"}]}}`),
	"activity":  []byte(`{"NotificationContainer":{"type":"activity","size":1,"ActivityNotification":[{"event":"updated","uuid":"11111111-2222-4333-8444-555555555555","Activity":{"uuid":"11111111-2222-4333-8444-555555555555","type":"library.refresh.items","cancellable":false,"userID":1,"title":"Refreshing","subtitle":"Augmenting metadata","progress":40,"Context":{"key":"/library/metadata/1001/children"}}}]}}`),
	"transcode": []byte(`{"NotificationContainer":{"type":"transcodeSession.update","size":1,"TranscodeSession":[{"key":"/transcode/sessions/t0t1t2t3t4t5t6t7t8t9t0t1","throttled":false,"complete":false,"progress":1.3,"size":-22,"speed":23.6,"error":false,"duration":8574912,"remaining":361,"context":"streaming","sourceVideoCodec":"h264","sourceAudioCodec":"dca","videoDecision":"copy","audioDecision":"transcode","protocol":"dash","container":"mp4","videoCodec":"h264","audioCodec":"aac","audioChannels":2,"width":1920,"height":1080,"transcodeHwRequested":true,"transcodeHwFullPipeline":false,"timeStamp":1700000000.5,"maxOffsetAvailable":124.9,"minOffsetAvailable":0.0}]}}`),
}

// BenchmarkDecodeNotification measures DecodeNotification on one frame of each kind, and
// reports frames per second.
func BenchmarkDecodeNotification(b *testing.B) {
	for _, name := range []string{"playing", "activity", "transcode"} {
		frame := benchFrames[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				if _, err := pms.DecodeNotification(frame); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

// BenchmarkTrackerRequests runs a tracker on a busy server — sessions players keep
// reporting on, with some starting and stopping — and reports how many times the tracker read
// /status/sessions per 1,000 notifications, beside how many sessions started or stopped in
// those 1,000 (the changes whose details only /status/sessions has). "burst" sends the events
// as fast as the server takes them (the default MinResync of 1 s coalesces nearly all reads);
// "paced" leaves 1 ms between events with MinResync at 5 ms, the same ratio as a server whose
// players report every few seconds against the default: most starts then cost a read of their
// own, the worst case.
func BenchmarkTrackerRequests(b *testing.B) {
	for _, bc := range []struct {
		sessions  int
		paced     bool
		minResync time.Duration
	}{{10, false, 0}, {50, false, 0}, {10, true, 5 * time.Millisecond}, {50, true, 5 * time.Millisecond}} {
		sessions := bc.sessions
		mode := "burst"
		if bc.paced {
			mode = "paced"
		}
		b.Run(fmt.Sprintf("%s/sessions=%d", mode, sessions), func(b *testing.B) {
			e := startEmulator(b, emulator.Options{FreezeClock: true, LibrarySize: 500})
			c := clientFor(b, e, "alice", nas)
			items := make([]string, 0, sessions+50)
			for it, err := range c.Library.Items(context.Background(), "1", pms.ItemsOptions{Limit: sessions + 50}) {
				if err != nil {
					b.Fatal(err)
				}
				items = append(items, string(it.RatingKey))
			}
			var events atomic.Int64
			tr := pms.NewTracker(c, pms.TrackerOptions{MinResync: bc.minResync})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				for _, err := range tr.Events(ctx) {
					if err == nil {
						events.Add(1)
					}
				}
			}()
			play := func(player, item, state string, offset int) {
				err := e.Play(emulator.Playback{Server: nas, User: "alice", Player: player, Item: item, State: state, Offset: time.Duration(offset) * time.Second})
				if err != nil {
					b.Fatal(err)
				}
			}
			cur := make([]string, sessions) // what each player plays
			for i := range sessions {
				cur[i] = items[i]
				play(fmt.Sprint("p", i), cur[i], "playing", 0)
			}
			waitFor(b, func() bool { return len(tr.Sessions()) >= sessions })
			var notifications, changes int
			before := tr.Resyncs()
			b.ResetTimer()
			for i := range b.N * 1000 {
				if bc.paced {
					time.Sleep(time.Millisecond)
				}
				p := i % sessions
				switch {
				case i%100 == 99: // the player stops and starts another item
					play(fmt.Sprint("p", p), cur[p], "stopped", i)
					cur[p] = items[sessions+(i/100)%50]
					play(fmt.Sprint("p", p), cur[p], "playing", 0)
					notifications += 2
					changes++ // the start; a stop needs no read
				case i%10 == 5:
					play(fmt.Sprint("p", p), cur[p], "paused", i)
					notifications++
				default:
					play(fmt.Sprint("p", p), cur[p], "playing", i)
					notifications++
				}
			}
			// The tracker has caught up once its set equals the server's.
			waitFor(b, func() bool {
				want, err := e.Sessions(nas)
				return err == nil && len(want) == len(tr.Sessions()) && trackerState(tr)[0] != "" && equalSets(want, tr)
			})
			b.StopTimer()
			resyncs := tr.Resyncs() - before
			b.ReportMetric(float64(resyncs)*1000/float64(notifications), "requests/1000events")
			b.ReportMetric(float64(changes)*1000/float64(notifications), "starts/1000events")
		})
	}
}

func waitFor(b *testing.B, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func equalSets(want []emulator.LiveSession, tr *pms.Tracker) bool {
	got := tr.Sessions()
	for i, w := range want {
		g := got[i]
		if string(g.SessionKey) != w.SessionKey || string(g.RatingKey) != w.RatingKey || g.Player.State != w.State {
			return false
		}
	}
	return true
}
