package pms

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Kinds of SessionEvent.
const (
	SessionStarted          = "started"
	SessionPaused           = "paused"
	SessionResumed          = "resumed"
	SessionProgressed       = "progressed" // a report while playing (or buffering): the offset moved
	SessionStopped          = "stopped"
	SessionTranscodeChanged = "transcode" // the session started, stopped or switched transcoding
)

// SessionEvent is a change of the set of sessions a Tracker keeps.
type SessionEvent struct {
	Kind string `json:"kind"`
	// Session is the session after the change; for SessionStopped, as last known, with
	// Player.State "stopped".
	Session Session `json:"session"`
	// Resync is true when the change was found by re-reading /status/sessions (on connect,
	// after a gap, or for details a notification lacks) rather than told by a notification.
	Resync bool `json:"resync,omitempty"`
	// Stale is true on a SessionStopped the tracker decided itself: a session went without a
	// notification for TrackerOptions.StaleTimeout, the tracker re-read /status/sessions, and
	// the server no longer listed this one, so its "stopped" was missed (Tautulli force-stops
	// a session after 5 silent minutes). Every session that read finds gone is marked, not
	// only the one whose timeout fired: none of their ends was told. Resync is true as well.
	Stale bool `json:"stale,omitempty"`
}

// TrackerOptions tune a Tracker. The zero value is the default.
type TrackerOptions struct {
	// MinResync is the least time between two reads of /status/sessions (default 1 s): the
	// reads that notifications call for in the meantime are made as one, so a busy server
	// costs at most one request per MinResync, and none for sessions the tracker knows.
	MinResync time.Duration
	// StaleTimeout is how long a session may go without a notification before the tracker
	// checks that it still exists (default DefaultStaleTimeout, Tautulli's 5 minutes; a
	// negative value turns the check off). Every notification of the session re-arms it. When
	// it fires the tracker re-reads /status/sessions: a session the server still lists is kept
	// (and its timeout re-armed), one it no longer lists ends with a SessionStopped marked
	// Stale. Players report at least every 10-20 s while playing, so only a missed stop, a
	// half-open connection or a server that forgot the session makes it fire for a session
	// that plays; a paused one may be silent, hence the re-read rather than an end.
	StaleTimeout time.Duration
	// Stream tunes the notification stream (its Filters are set by the tracker).
	Stream NotificationOptions
}

// Defaults of TrackerOptions.
const (
	DefaultMinResync    = time.Second
	DefaultStaleTimeout = 5 * time.Minute
)

// maxPending bounds the notifications kept for one session while its resync is pending; past
// it the newest replaces the last kept one, so the first (what started it) and the latest
// state survive.
const maxPending = 64

// Tracker keeps the sessions playing on a server as a consistent set: from the server's
// "playing" notifications, and from /status/sessions when a stream opens (so after every gap),
// when a notification names a session it does not know (the notification lacks who plays what
// where), when a session's transcode changes, when a notification names another item under a
// known sessionKey, and when a session has been silent for StaleTimeout. Notifications of a
// session that waits for such a read are kept and applied in order after it, so its pauses and
// seeks in the meantime reach the consumer.
//
// A server may keep a player's sessionKey when it moves on to another item without a stop
// (Tautulli handles it), with no "stopped" for the old item. The tracker ends the old item
// (SessionStopped, Resync) and starts the new one when the read confirms the move: until then
// a notification about another item may as well be older than a read that already showed
// the item after it, and must not end that one. A session starts in the state of its first
// notification that is neither "buffering" nor "stopped", or else in the read's. A playback
// that starts and ends before the read that would tell who plays it (an item the player moved
// on from, too) is not reported: the read no longer shows it.
//
// A read runs ahead of the stream: the notifications the server sent while it was in flight
// reach the tracker after it, so one may be older than what the read showed (a "playing"
// report sent just before a pause the read shows). Notifications carry no time, only an
// offset, so "older" is judged by it: after a read moves a session to a state the tracker had
// not been told (or starts it), a notification of that session in another state at an offset
// behind the read's is taken as sent before the read and does not change the session (no
// SessionResumed from the report before a pause); the tracker reads /status/sessions again to
// settle it, so a real change behind the read (a resume after a seek back) shows as found by
// that read (Resync). This lasts until a notification at or past the read's offset is applied
// (the stream has caught up with the read), the session stops, or the next read. A
// notification in the read's state, or at an offset the read shows, is applied as it comes:
// a report the player sends twice at one offset cannot be told from a resume. Reading it
// (Sessions, Session) is safe at any time, from any goroutine; Events runs it. Listing
// sessions needs the admin role, so the client's token must be the owner's.
type Tracker struct {
	client *Client
	opts   TrackerOptions

	mu       sync.Mutex
	sessions map[string]Session // by sessionKey

	resyncs atomic.Int64
}

// NewTracker returns a tracker of c's server.
func NewTracker(c *Client, o TrackerOptions) *Tracker {
	o.MinResync = cmpOr(o.MinResync, DefaultMinResync)
	o.StaleTimeout = cmpOr(o.StaleTimeout, DefaultStaleTimeout)
	o.Stream.Filters = []string{TypePlaying}
	return &Tracker{client: c, opts: o, sessions: map[string]Session{}}
}

// Sessions returns the sessions playing now, ordered by sessionKey.
func (t *Tracker) Sessions() []Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Session, 0, len(t.sessions))
	for _, s := range t.sessions {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Session) int { return compareKeys(string(a.SessionKey), string(b.SessionKey)) })
	return out
}

// Session returns the session with sessionKey key.
func (t *Tracker) Session(key string) (Session, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.sessions[key]
	return s, ok
}

// Resyncs returns how many times the tracker has read /status/sessions.
func (t *Tracker) Resyncs() int64 { return t.resyncs.Load() }

func compareKeys(a, b string) int {
	ai, aerr := strconv.Atoi(a)
	bi, berr := strconv.Atoi(b)
	if aerr == nil && berr == nil {
		return cmp.Compare(ai, bi)
	}
	return cmp.Compare(a, b)
}

// item is what the tracker's loop receives from the stream.
type item struct {
	n   Notification
	err error
}

// Events runs the tracker until ctx ends (or the loop stops) and yields every change. Errors
// of the stream and of /status/sessions are yielded too, and the tracker goes on.
func (t *Tracker) Events(ctx context.Context) iter.Seq2[SessionEvent, error] {
	return func(yield func(SessionEvent, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := make(chan item, 64)
		go func() {
			defer close(in)
			for n, err := range t.client.NotificationStream(ctx, t.opts.Stream) {
				select {
				case in <- item{n, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
		l := trackLoop{t: t, yield: yield, ctx: ctx, timer: time.NewTimer(time.Hour), stale: time.NewTimer(time.Hour),
			pending: map[string][]PlayingNotification{}, deadline: map[string]time.Time{},
			ahead: map[string]readState{}}
		l.timer.Stop()
		l.stale.Stop()
		defer l.timer.Stop()
		defer l.stale.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case it, ok := <-in:
				if !ok {
					return
				}
				if !l.handle(it) {
					return
				}
			case <-l.timer.C:
				l.armed = false
				if !l.resync(l.staleRetry) {
					return
				}
			case <-l.stale.C:
				l.staleAt = time.Time{}
				if !l.checkStale() {
					return
				}
			}
		}
	}
}

// trackLoop is one run of Events.
type trackLoop struct {
	t     *Tracker
	yield func(SessionEvent, error) bool
	ctx   context.Context
	timer *time.Timer
	armed bool      // a resync is scheduled
	last  time.Time // the last resync
	// staleRetry: the scheduled read retries one the stale timeout called for.
	staleRetry bool

	// pending holds, by sessionKey, the notifications of sessions the tracker does not know
	// yet, received while the resync that will tell who plays them is pending, and of known
	// sessions since one named another item (the resync tells whether the player moved on).
	pending map[string][]PlayingNotification

	// deadline is when each known session goes stale; stale fires at staleAt, the earliest
	// (zero: not armed). Deadlines only move later, so the timer is reset only for an
	// earlier one and otherwise checked lazily when it fires.
	deadline map[string]time.Time
	stale    *time.Timer
	staleAt  time.Time

	// ahead holds, by sessionKey, the state and offset a read showed of a session ahead of
	// the notifications applied to it: a notification behind it may be older than the read.
	ahead map[string]readState
}

// readState is what a read showed of a session.
type readState struct {
	state  string
	offset FlexInt
}

// touch re-arms key's stale timeout.
func (l *trackLoop) touch(key string, now time.Time) {
	if l.t.opts.StaleTimeout < 0 {
		return
	}
	d := now.Add(l.t.opts.StaleTimeout)
	l.deadline[key] = d
	l.armStale(d)
}

// armStale makes the stale timer fire by d.
func (l *trackLoop) armStale(d time.Time) {
	if l.staleAt.IsZero() || d.Before(l.staleAt) {
		l.staleAt = d
		l.stale.Reset(time.Until(d))
	}
}

// checkStale runs when the stale timer fires: it re-reads the sessions if some went stale,
// and re-arms the timer for the next deadline.
func (l *trackLoop) checkStale() bool {
	now := time.Now()
	var next time.Time
	stale := false
	for _, d := range l.deadline {
		if !d.After(now) {
			stale = true
		} else if next.IsZero() || d.Before(next) {
			next = d
		}
	}
	if !next.IsZero() {
		l.armStale(next)
	}
	if !stale {
		return true
	}
	return l.resync(true)
}

// need asks for a resync: now, or when MinResync has passed since the last one.
func (l *trackLoop) need() bool {
	if l.armed {
		return true
	}
	wait := l.t.opts.MinResync - time.Since(l.last)
	if wait <= 0 {
		return l.resync(false)
	}
	l.armed = true
	l.timer.Reset(wait)
	return true
}

func (l *trackLoop) handle(it item) bool {
	if it.err != nil {
		return l.yield(SessionEvent{}, it.err)
	}
	switch it.n.Type {
	case TypeConnected:
		// Notifications kept from before a gap may miss the ones lost in it: the read that
		// follows a new stream is the truth for those sessions.
		clear(l.pending)
		return l.need()
	case TypePlaying:
		for _, p := range it.n.Playing {
			if !l.playing(p) {
				return false
			}
		}
	}
	return true
}

// hold keeps p, a notification of the session with key, until the next read.
func (l *trackLoop) hold(key string, p PlayingNotification) {
	q := l.pending[key]
	if len(q) == maxPending {
		q[len(q)-1] = p
		return
	}
	l.pending[key] = append(q, p)
}

// playing applies one playing notification.
func (l *trackLoop) playing(p PlayingNotification) bool {
	t := l.t
	key := string(p.SessionKey)
	t.mu.Lock()
	s, known := t.sessions[key]
	if !known && p.State == "stopped" {
		// Servers have been seen to send the stop of a session under a new sessionKey: match
		// it by item and player.
		for k, o := range t.sessions {
			if o.RatingKey == p.RatingKey && (p.ClientIdentifier == "" || o.Player.MachineIdentifier == p.ClientIdentifier) {
				s, known, key = o, true, k
				break
			}
		}
	}
	if !known {
		t.mu.Unlock()
		if _, waiting := l.pending[key]; !waiting && (p.State == "stopped" || p.State == "buffering") {
			return true // a stop of what we never saw; a buffering start may be a throw-away
		}
		l.hold(key, p)
		return l.need() // who plays what where is only in /status/sessions
	}
	l.touch(key, time.Now())
	if _, waiting := l.pending[key]; waiting || (p.RatingKey != "" && p.RatingKey != s.RatingKey) {
		// Another item under a known sessionKey: either the player moved on to it (servers
		// keep the key of a player that does not stop an item before the next, and then send
		// no stop: Tautulli stops the old session and starts a new one), or the notification
		// is older than a read that already showed the item after it (a read runs ahead of
		// the stream). Only a read tells which: this notification and the session's next ones
		// wait for it, and it ends the old item if the server moved on.
		t.mu.Unlock()
		l.hold(key, p)
		return l.need()
	}
	if a, ok := l.ahead[key]; ok {
		if p.ViewOffset < a.offset && p.State != a.state && p.State != "stopped" {
			// Maybe sent before the read that showed a.state, and delivered after it: it
			// must not move the session back. Another read tells whether it did move.
			t.mu.Unlock()
			return l.need()
		}
		if p.ViewOffset >= a.offset {
			delete(l.ahead, key) // the stream caught up with the read
		}
	}
	prev := s.Player.State
	s.ViewOffset = p.ViewOffset
	s.Player.State = p.State
	var kind string
	switch {
	case p.State == "stopped":
		delete(t.sessions, key)
		delete(l.deadline, key)
		delete(l.ahead, key)
		kind = SessionStopped
	case p.State == "paused" && prev != "paused":
		kind = SessionPaused
	case p.State == "playing" && prev == "paused":
		kind = SessionResumed
	default:
		kind = SessionProgressed
	}
	transcodeChanged := p.State != "stopped" && p.TranscodeSession != transcodeID(s)
	if kind != SessionStopped {
		t.sessions[key] = s
	}
	t.mu.Unlock()
	if !l.yield(SessionEvent{Kind: kind, Session: s}, nil) {
		return false
	}
	if transcodeChanged {
		return l.need() // the transcode's details are only in /status/sessions
	}
	return true
}

func transcodeID(s Session) string {
	if s.TranscodeSession == nil {
		return ""
	}
	return s.TranscodeSession.ID()
}

// resync reads /status/sessions and yields the differences with the set (the sessions gone end
// as Stale when the stale timeout called for the read). Then it applies the notifications
// pending for the sessions it found.
func (l *trackLoop) resync(stale bool) bool {
	t := l.t
	if l.armed {
		// This read is the one that was scheduled.
		l.armed = false
		l.timer.Stop()
	}
	l.last = time.Now()
	t.resyncs.Add(1)
	list, err := t.client.Sessions.List(l.ctx)
	if err != nil {
		if l.ctx.Err() != nil {
			return false
		}
		// Try again later: the set may be missing sessions until a read succeeds.
		l.staleRetry = l.staleRetry || stale
		l.armed = true
		l.timer.Reset(2 * t.opts.MinResync)
		return l.yield(SessionEvent{}, err)
	}
	stale = stale || l.staleRetry
	l.staleRetry = false
	now := time.Now()
	fresh := make(map[string]Session, len(list))
	for _, s := range list {
		fresh[string(s.SessionKey)] = s
	}
	pending := l.pending
	l.pending = map[string][]PlayingNotification{}
	var events []SessionEvent
	t.mu.Lock()
	for key, old := range t.sessions {
		if _, ok := fresh[key]; !ok {
			old.Player.State = "stopped"
			events = append(events, SessionEvent{Kind: SessionStopped, Session: old, Resync: true, Stale: stale})
		}
	}
	var replay []PlayingNotification
	clear(l.ahead)
	for key, s := range fresh {
		old, ok := t.sessions[key]
		q := samePlayback(pending[key], s)
		if !ok || old.RatingKey != s.RatingKey {
			// A new playback: started as its first notification (past a "buffering" one)
			// told, which the others then follow; the read may already show where they lead.
			if q = startable(q); len(q) > 0 {
				s.Player.State, s.ViewOffset = q[0].State, q[0].ViewOffset
				fresh[key] = s
				replay = append(replay, q[1:]...)
			} else {
				l.ahead[key] = readState{s.Player.State, s.ViewOffset}
			}
		} else if len(q) > 0 {
			// A known playback whose notifications waited for this read (one about another
			// item came first, older than the read): they go on from what the tracker knew.
			s.Player.State, s.ViewOffset = old.Player.State, old.ViewOffset
			fresh[key] = s
			replay = append(replay, q...)
		} else if old.Player.State != s.Player.State {
			l.ahead[key] = readState{s.Player.State, s.ViewOffset}
		}
		switch {
		case !ok:
			events = append(events, SessionEvent{Kind: SessionStarted, Session: s, Resync: true})
		case old.RatingKey != s.RatingKey:
			old.Player.State = "stopped"
			events = append(events, SessionEvent{Kind: SessionStopped, Session: old, Resync: true},
				SessionEvent{Kind: SessionStarted, Session: s, Resync: true})
		case transcodeID(old) != transcodeID(s):
			events = append(events, SessionEvent{Kind: SessionTranscodeChanged, Session: s, Resync: true})
		case old.Player.State != s.Player.State && s.Player.State == "paused":
			events = append(events, SessionEvent{Kind: SessionPaused, Session: s, Resync: true})
		case old.Player.State == "paused" && s.Player.State == "playing":
			events = append(events, SessionEvent{Kind: SessionResumed, Session: s, Resync: true})
		}
	}
	t.sessions = fresh
	t.mu.Unlock()
	l.rearm(fresh, now)
	slices.SortStableFunc(events, func(a, b SessionEvent) int {
		return compareKeys(string(a.Session.SessionKey), string(b.Session.SessionKey))
	})
	for _, ev := range events {
		if !l.yield(ev, nil) {
			return false
		}
	}
	// A session's notifications stay in order; between sessions, by sessionKey.
	slices.SortStableFunc(replay, func(a, b PlayingNotification) int {
		return compareKeys(string(a.SessionKey), string(b.SessionKey))
	})
	for _, p := range replay {
		if !l.playing(p) {
			return false
		}
	}
	return true
}

// samePlayback returns the notifications of q that are about the playback s is: those after
// the last one about another item. The read is newer than every notification kept for it, so
// the item it shows is the one the player came to last under that sessionKey; what the key
// carried before (a sessionKey the server reused for another item) is not s's history.
func samePlayback(q []PlayingNotification, s Session) []PlayingNotification {
	for i := len(q) - 1; i >= 0; i-- {
		if q[i].RatingKey != "" && q[i].RatingKey != s.RatingKey {
			return q[i+1:]
		}
	}
	return q
}

// startable drops the notifications a playback cannot start with from the head of q: a
// "buffering" one (a session starts on its first other state, as Tautulli's does) and a
// "stopped" one.
func startable(q []PlayingNotification) []PlayingNotification {
	for len(q) > 0 && (q[0].State == "buffering" || q[0].State == "stopped") {
		q = q[1:]
	}
	return q
}

// rearm follows a read of the sessions: the deadlines of the sessions gone are dropped, and
// those of sessions new or just checked for staleness (their deadline passed) start again.
func (l *trackLoop) rearm(fresh map[string]Session, now time.Time) {
	for key := range l.deadline {
		if _, ok := fresh[key]; !ok {
			delete(l.deadline, key)
		}
	}
	for key := range fresh {
		if d, ok := l.deadline[key]; !ok || !d.After(now) {
			l.touch(key, now)
		}
	}
}
