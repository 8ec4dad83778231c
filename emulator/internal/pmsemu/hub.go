package pmsemu

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
)

// The hub is where the model says what changed. Every change point of the model (a timeline
// report, a scrobble, a refresh, a setting) calls Publish once per event; the hub encodes the
// event once, in both of Plex's framings, and hands it to every open notification stream whose
// filter and role let it through, and, when the event carries one, queues its webhook.
//
// Publish never blocks. Each stream has a buffer of SubscriberBuffer events; a stream whose
// buffer is full when an event arrives is disconnected (its connection is closed), never slowed
// down or silently thinned: a client that reconnects knows it missed something and
// re-synchronises, which a client that silently lost one "stopped" frame could not. The
// webhook queue has the same shape (see webhooks.go): when it is full, the new delivery is
// dropped and counted, as Plex itself promises no delivery.
//
// Other parts of the emulator publish with Server.Publish, e.g.
//
//	srv.Publish(pmsemu.Notification{Type: "activity", Entry: pmsemu.ActivityEntry{…}})
//
// Type picks the child key of the frame (NotificationContainer.<Child>) from Plex's table; a
// type the table does not know needs Child.

// SubscriberBuffer is how many encoded events one notification stream may have waiting before
// the hub disconnects it.
const SubscriberBuffer = 256

// Notification is one event for the notification streams (and maybe a webhook).
type Notification struct {
	// Type is the event name: "playing", "timeline", "activity", "status", "progress",
	// "transcodeSession.start", "preference", …
	Type string
	// Child is the key of the entry in the frame; empty: the one Plex uses for Type.
	Child string
	// Entry is the one entry of the frame, encoded as JSON (field order as declared).
	Entry any
	// AccountID, when not zero, is the account the event concerns: a shared user's stream
	// sees only events of their own account (and those with AccountID 0 that are not
	// AdminOnly); the admin sees everything.
	AccountID int
	// AdminOnly keeps the event from shared users' streams.
	AdminOnly bool
	// SectionKey, when set, is the library section the event is about: a shared user's stream
	// sees it only when the section is shared with them.
	SectionKey string
	// Webhook, when set, is delivered to the webhooks registered for the accounts concerned.
	Webhook *WebhookEvent
}

// childKeys is Plex's child key per notification type (reference: plex-live.md §1.5).
var childKeys = map[string]string{
	"playing":                   "PlaySessionStateNotification",
	"timeline":                  "TimelineEntry",
	"activity":                  "ActivityNotification",
	"status":                    "StatusNotification",
	"progress":                  "ProgressNotification",
	"reachability":              "ReachabilityNotification",
	"transcodeSession.start":    "TranscodeSession",
	"transcodeSession.update":   "TranscodeSession",
	"transcodeSession.end":      "TranscodeSession",
	"update.statechange":        "AutoUpdateNotification",
	"preference":                "Setting",
	"account":                   "AccountUpdateNotification",
	"backgroundProcessingQueue": "BackgroundProcessingQueueEventNotification",
	"log":                       "LogSentNotification",
}

// frame is an event encoded for the wire.
type frame struct {
	typ       string
	ws        []byte // {"NotificationContainer":{"type":…,"size":1,"<Child>":[entry]}}
	sse       []byte // event: <type>\ndata: {"<Child>":entry}\n\n
	accountID int
	adminOnly bool
	section   string
}

// encode builds both framings of n.
func encode(n Notification) (frame, error) {
	child := n.Child
	if child == "" {
		child = childKeys[n.Type]
	}
	if child == "" {
		child = "Entry"
	}
	entry, err := json.Marshal(n.Entry)
	if err != nil {
		return frame{}, err
	}
	typ, _ := json.Marshal(n.Type)
	key := strconv.Quote(child)
	var ws bytes.Buffer
	ws.Grow(len(entry) + len(typ) + len(key) + 64)
	ws.WriteString(`{"NotificationContainer":{"type":`)
	ws.Write(typ)
	ws.WriteString(`,"size":1,`)
	ws.WriteString(key)
	ws.WriteString(`:[`)
	ws.Write(entry)
	ws.WriteString(`]}}`)
	var sse bytes.Buffer
	sse.Grow(len(entry) + len(n.Type) + len(key) + 24)
	sse.WriteString("event: ")
	sse.WriteString(n.Type)
	sse.WriteString("\ndata: {")
	sse.WriteString(key)
	sse.WriteByte(':')
	sse.Write(entry)
	sse.WriteString("}\n\n")
	return frame{typ: n.Type, ws: ws.Bytes(), sse: sse.Bytes(), accountID: n.AccountID, adminOnly: n.AdminOnly, section: n.SectionKey}, nil
}

// Hub fans events out to notification streams and the webhook sender.
type Hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
	// hooks receives the webhook part of events; nil: webhooks are off.
	hooks *webhookSender
	// dropped counts streams disconnected for being too slow.
	dropped int
}

// subscriber is one open notification stream.
type subscriber struct {
	filter filter
	caller Caller
	ch     chan frame
	gone   chan struct{} // closed when the hub drops the stream (slow, dropped, restart)
	once   sync.Once
}

func (s *subscriber) close() { s.once.Do(func() { close(s.gone) }) }

func newHub(hooks *webhookSender) *Hub {
	return &Hub{subs: map[*subscriber]struct{}{}, hooks: hooks}
}

// wants reports whether s may and wants to see f.
func (s *subscriber) wants(f frame) bool {
	if s.caller.Role != RoleAdmin && (f.adminOnly || f.accountID != 0 && f.accountID != s.caller.AccountID) {
		return false
	}
	if s.caller.Role != RoleAdmin && f.section != "" && s.caller.Sections != nil && !slices.Contains(s.caller.Sections, f.section) {
		return false
	}
	return s.filter.allows(f.typ)
}

// Publish sends n to every stream that wants it and queues its webhook; it never blocks. An
// entry that cannot be encoded as JSON is a bug in its type and is dropped.
func (h *Hub) Publish(n Notification) {
	if n.Webhook != nil && h.hooks != nil {
		h.hooks.enqueue(*n.Webhook)
	}
	if n.Type == "" {
		return
	}
	f, err := encode(n)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.wants(f) {
			continue
		}
		select {
		case s.ch <- f:
		default:
			delete(h.subs, s)
			h.dropped++
			s.close()
		}
	}
}

// subscribe opens a stream for caller with filter f.
func (h *Hub) subscribe(caller Caller, f filter) *subscriber {
	s := &subscriber{filter: f, caller: caller, ch: make(chan frame, SubscriberBuffer), gone: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	return s
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
	s.close()
}

// DropAll closes every open notification stream and returns how many there were.
func (h *Hub) DropAll() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.subs)
	for s := range h.subs {
		s.close()
	}
	clear(h.subs)
	return n
}

// Subscribers returns the number of open notification streams.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// filter is the filters parameter of a notification request.
type filter struct {
	all    bool // filters= (empty): every type, logs too
	negate bool // a leading "-": every type except names
	names  map[string]bool
}

// parseFilter reads filters (or filter, the spec's name for it). Absent means "-log"; present
// and empty means everything; a leading "-" negates the whole list (reference §1.3).
func parseFilter(q map[string][]string) filter {
	v, ok := q["filters"]
	if !ok {
		v, ok = q["filter"]
	}
	if !ok {
		return filter{negate: true, names: map[string]bool{"log": true}}
	}
	raw := ""
	if len(v) > 0 {
		raw = v[0]
	}
	if raw == "" {
		return filter{all: true}
	}
	f := filter{names: map[string]bool{}}
	if raw[0] == '-' {
		f.negate, raw = true, raw[1:]
	}
	for _, name := range bytes.Split([]byte(raw), []byte(",")) {
		if n := string(bytes.TrimSpace(name)); n != "" {
			f.names[n] = true
		}
	}
	return f
}

func (f filter) allows(typ string) bool {
	if f.all {
		return true
	}
	return f.names[typ] != f.negate
}
