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
}

// TrackerOptions tune a Tracker. The zero value is the default.
type TrackerOptions struct {
	// MinResync is the least time between two reads of /status/sessions (default 1 s): the
	// reads that notifications call for in the meantime are made as one, so a busy server
	// costs at most one request per MinResync, and none for sessions the tracker knows.
	MinResync time.Duration
	// Stream tunes the notification stream (its Filters are set by the tracker).
	Stream NotificationOptions
}

// DefaultMinResync is TrackerOptions.MinResync's default.
const DefaultMinResync = time.Second

// Tracker keeps the sessions playing on a server as a consistent set: from the server's
// "playing" notifications, and from /status/sessions when a stream opens (so after every gap),
// when a notification names a session it does not know (the notification lacks who plays what
// where), and when a session's transcode changes. Reading it (Sessions, Session) is safe at any
// time, from any goroutine; Events runs it. Listing sessions needs the admin role, so the
// client's token must be the owner's.
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
		l := trackLoop{t: t, yield: yield, ctx: ctx, timer: time.NewTimer(time.Hour)}
		l.timer.Stop()
		defer l.timer.Stop()
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
				if !l.resync() {
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
}

// need asks for a resync: now, or when MinResync has passed since the last one.
func (l *trackLoop) need() bool {
	if l.armed {
		return true
	}
	wait := l.t.opts.MinResync - time.Since(l.last)
	if wait <= 0 {
		return l.resync()
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
		if p.State == "stopped" || p.State == "buffering" {
			return true // a stop of what we never saw; a buffering start may be a throw-away
		}
		return l.need() // who plays what where is only in /status/sessions
	}
	if p.RatingKey != "" && p.RatingKey != s.RatingKey {
		// The player moved on to another item under the same key: that is a stop and a start.
		delete(t.sessions, key)
		t.mu.Unlock()
		s.Player.State = "stopped"
		return l.yield(SessionEvent{Kind: SessionStopped, Session: s}, nil) && l.need()
	}
	prev := s.Player.State
	s.ViewOffset = p.ViewOffset
	s.Player.State = p.State
	var kind string
	switch {
	case p.State == "stopped":
		delete(t.sessions, key)
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

// resync reads /status/sessions and yields the differences with the set.
func (l *trackLoop) resync() bool {
	t := l.t
	l.last = time.Now()
	t.resyncs.Add(1)
	list, err := t.client.Sessions.List(l.ctx)
	if err != nil {
		if l.ctx.Err() != nil {
			return false
		}
		// Try again later: the set may be missing sessions until a read succeeds.
		l.armed = true
		l.timer.Reset(2 * t.opts.MinResync)
		return l.yield(SessionEvent{}, err)
	}
	fresh := make(map[string]Session, len(list))
	for _, s := range list {
		fresh[string(s.SessionKey)] = s
	}
	var events []SessionEvent
	t.mu.Lock()
	for key, old := range t.sessions {
		if _, ok := fresh[key]; !ok {
			old.Player.State = "stopped"
			events = append(events, SessionEvent{Kind: SessionStopped, Session: old, Resync: true})
		}
	}
	for key, s := range fresh {
		old, ok := t.sessions[key]
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
	slices.SortStableFunc(events, func(a, b SessionEvent) int {
		return compareKeys(string(a.Session.SessionKey), string(b.Session.SessionKey))
	})
	for _, ev := range events {
		if !l.yield(ev, nil) {
			return false
		}
	}
	return true
}
