package pmsemu

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Playback (reference: plex-live.md §2). A session exists because a player reports it: the first
// /:/timeline report of a player (X-Plex-Client-Identifier, and X-Plex-Session-Identifier when
// it plays several things at once) with a state other than "stopped" creates one, with the next
// sessionKey; every report moves it (state, offset) and is answered with one "playing"
// notification; "stopped" removes it at once with exactly one "stopped" notification. A report
// of another item without a stop ends the session as a stop does and starts a new one with the
// next sessionKey, or, with Config.SessionKeyKeptOnItemChange, under the same sessionKey and
// without the "stopped" notification. A session
// whose player stops reporting is dropped after SessionTimeout. Passing the played threshold
// (Config.PlayedThreshold, 90 % by default, as LibraryVideoPlayedThreshold) while playing
// marks the item played for the account, once per session, and writes a history row.
//
// Between reports the emulator clock moves a playing session's offset (the player is playing,
// after all). Sessions started by the control API and the seeded ones are played by the
// emulator itself: it reports for them every ReportInterval of the clock, stops them at the end
// of the item, and never times them out.

// Timing of playback.
const (
	// ReportInterval is how often a player reports while playing (Plex asks for every 10 s on
	// a LAN), and so how often the emulator's own players emit a "playing" notification.
	ReportInterval = 10 * time.Second
	// SessionTimeout is how long a session lives without a report (≈3 min was measured).
	SessionTimeout = 3 * time.Minute
	// DefaultPlayedThreshold is LibraryVideoPlayedThreshold's default, in percent.
	DefaultPlayedThreshold = 90
)

// Termination code and text a PMS answers a terminated player's next timeline report with.
const terminationCode = 2006

// playState is the state of one playback session.
type playSession struct {
	key       int    // sessionKey
	id        string // Session.id, what /status/sessions/terminate takes
	clientID  string
	sessionID string // X-Plex-Session-Identifier
	accountID int    // plex.tv id
	rk        int
	ratingKey string
	duration  int // ms
	state     string
	offset    int       // ms, true at `at`
	at        time.Time // clock reading offset is true at
	report    time.Time // last report (or emulator report)
	player    playerInfo
	virtual   bool // played by the emulator (control API, seed)
	played    bool // started playing (media.play sent)
	scrobbled bool
	pqItemID  int
	transcode *transcodeJob
}

// playerInfo is what a player says about itself in its X-Plex-* headers.
type playerInfo struct {
	product, platform, platformVersion, device, title, version, vendor, address string
	local                                                                       bool
}

// playback is the server's live state: sessions, pending transcodes, terminations.
type playback struct {
	mu        sync.Mutex
	next      int // next sessionKey
	sessions  map[string]*playSession
	wantTrans map[string]bool         // player key → the player asked for a transcode
	ended     map[string]string       // player key → termination text for its next report
	players   map[string]*knownPlayer // by client identifier (players.go)
	// tickers run on every Tick, outside mu: other parts of the server that move with the
	// clock (activities).
	tickers []func()
	// progress is the last progress announced per activity uuid, under progressMu.
	progressMu sync.Mutex
	progress   map[string]int
}

func playerKey(clientID, sessionID string) string { return clientID + "\x00" + sessionID }

func newPlayback() *playback {
	return &playback{
		next:      1,
		sessions:  map[string]*playSession{},
		wantTrans: map[string]bool{},
		ended:     map[string]string{},
		players:   map[string]*knownPlayer{},
		progress:  map[string]int{},
	}
}

// seedSessions turns the seeded sessions into sessions played by the emulator, keys 1…n, each a
// third of the way through its item, as the seed always showed them.
func (h *handler) seedSessions(seeds []SessionConfig) {
	now := h.cfg.Now()
	for i, sc := range seeds {
		it, ok := h.store.Item(sc.RatingKey)
		if !ok {
			continue
		}
		hs := mix(uint64(sc.RatingKey)^uint64(i), uint64(sc.AccountID))
		state := cmp.Or(sc.State, "playing")
		ps := &playSession{
			key:       h.live.next,
			id:        fmt.Sprintf("%024x", hs),
			clientID:  fmt.Sprintf("%016x", hs),
			accountID: sc.AccountID,
			rk:        sc.RatingKey,
			ratingKey: strconv.Itoa(sc.RatingKey),
			duration:  it.Duration,
			state:     state,
			offset:    it.Duration / 3,
			at:        now,
			report:    now,
			virtual:   true,
			played:    state != "buffering",
			player: playerInfo{
				product: "Plex Web", platform: "Chrome", platformVersion: "126.0", device: "bundled",
				title: "Chrome", version: "4.128.0", vendor: "Google", local: true,
				address: "192.168.1." + strconv.Itoa(10+i%240),
			},
		}
		h.live.next++
		h.live.sessions[playerKey(ps.clientID, "")] = ps
		role := RoleShared
		if sc.AccountID == h.cfg.OwnerAccountID {
			role = RoleAdmin
		}
		h.seePlayerLocked(report{caller: Caller{AccountID: sc.AccountID, Role: role}, clientID: ps.clientID, player: ps.player}, now)
	}
}

// report is one timeline report: from a player's /:/timeline, or from the control API.
type report struct {
	caller    Caller
	clientID  string
	sessionID string
	ratingKey string
	state     string
	offset    int // ms
	pqItemID  int
	player    playerInfo
	virtual   bool
	transcode bool // the control API asks for a transcoded session
}

// errors a report can be refused with.
type reportError struct {
	status int
	msg    string
}

func (e *reportError) Error() string { return e.msg }

// apply runs a report: it creates, moves, pauses, resumes or stops the player's session and
// publishes what changed. It returns the termination text when the admin terminated this
// player's session since its last report.
func (h *handler) apply(rp report) (terminated string, err error) {
	switch rp.state {
	case "playing", "paused", "buffering", "stopped":
	default:
		return "", &reportError{http.StatusBadRequest, fmt.Sprintf("state %q is not playing, paused, buffering or stopped", rp.state)}
	}
	rk, ok := ParseRatingKey(rp.ratingKey)
	var it Item
	if ok {
		it, ok = h.store.Item(rk)
	}
	if !ok || !(&call{caller: rp.caller}).canSee(h.store.Section(it.SectionKey)) {
		return "", &reportError{http.StatusNotFound, fmt.Sprintf("no item with ratingKey %q", rp.ratingKey)}
	}
	if it.Duration <= 0 || len(h.store.Children(rk)) > 0 {
		return "", &reportError{http.StatusBadRequest, fmt.Sprintf("item %s (a %s) is not playable", rp.ratingKey, it.Type)}
	}
	ratingKey := strconv.Itoa(rk)
	now := h.cfg.Now()
	l := h.live
	l.mu.Lock()
	defer l.mu.Unlock()
	h.tickLocked(now)
	h.seePlayerLocked(rp, now)
	pk := playerKey(rp.clientID, rp.sessionID)
	if text, ok := l.ended[pk]; ok {
		delete(l.ended, pk)
		return text, nil
	}
	offset := min(max(rp.offset, 0), it.Duration)
	ps := l.sessions[pk]
	var kept *playSession // the session whose sessionKey the next item keeps
	if ps != nil && ps.rk != rk {
		// The player moved on to another item without a stop.
		if h.cfg.SessionKeyKeptOnItemChange && rp.state != "stopped" {
			h.endLocked(ps, false)
			kept = ps
		} else {
			h.stopLocked(ps)
		}
		ps = nil
	}
	if rp.state == "stopped" {
		if ps != nil {
			ps.offset, ps.at = offset, now
			h.remember(ps)
			h.stopLocked(ps)
		} else {
			h.setViewOffset(rp.caller.AccountID, rk, offset)
		}
		return "", nil
	}
	if ps == nil {
		ps = &playSession{
			key: l.next, id: randomID(24), clientID: rp.clientID, sessionID: rp.sessionID,
			accountID: rp.caller.AccountID, rk: rk, ratingKey: ratingKey, duration: it.Duration,
			virtual: rp.virtual, pqItemID: rp.pqItemID,
		}
		if kept != nil {
			ps.key, ps.id = kept.key, kept.id
		} else {
			l.next++
		}
		l.sessions[pk] = ps
		if rp.transcode || l.wantTrans[pk] || (kept != nil && kept.transcode != nil) {
			delete(l.wantTrans, pk)
			ps.transcode = newTranscodeJob(it, now)
		}
	}
	prev := ps.state
	ps.player = rp.player
	ps.state, ps.offset, ps.at, ps.report = rp.state, offset, now, now
	if rp.pqItemID != 0 {
		ps.pqItemID = rp.pqItemID
	}
	h.publishPlaying(ps)
	if ps.transcode != nil {
		ps.transcode.advance(ps, now)
		typ := "transcodeSession.update"
		if !ps.transcode.announced {
			typ, ps.transcode.announced = "transcodeSession.start", true
		}
		h.hub.Publish(Notification{Type: typ, Entry: ps.transcode.entry(ps, true), AccountID: ps.accountID})
	}
	switch {
	case rp.state == "playing" && !ps.played:
		ps.played = true
		h.webhook(ps, "media.play")
		if ps.accountID != h.cfg.OwnerAccountID {
			h.webhook(ps, "playback.started")
		}
	case rp.state == "paused" && prev == "playing":
		h.webhook(ps, "media.pause")
	case rp.state == "playing" && prev == "paused":
		h.webhook(ps, "media.resume")
	}
	h.remember(ps)
	h.checkScrobble(ps)
	return "", nil
}

// publishPlaying sends the "playing" notification of ps's current state.
func (h *handler) publishPlaying(ps *playSession) {
	e := PlaySessionStateEntry{
		SessionKey:       strconv.Itoa(ps.key),
		ClientIdentifier: ps.clientID,
		RatingKey:        ps.ratingKey,
		Key:              "/library/metadata/" + ps.ratingKey,
		ViewOffset:       ps.offset,
		PlayQueueItemID:  ps.pqItemID,
		State:            ps.state,
	}
	if ps.transcode != nil && ps.state != "stopped" {
		e.TranscodeSession = ps.transcode.id
	}
	h.hub.Publish(Notification{Type: "playing", Entry: e, AccountID: ps.accountID})
}

// stopLocked ends ps: one "stopped" notification, the transcode's end, media.stop.
func (h *handler) stopLocked(ps *playSession) { h.endLocked(ps, true) }

// endLocked ends ps's playback: it leaves the sessions, its transcode ends and media.stop goes
// out; notify sends its "stopped" notification first. Without notify it is the end of an
// item whose player moved on to another one under the same sessionKey
// (Config.SessionKeyKeptOnItemChange): no "stopped", the session goes on.
func (h *handler) endLocked(ps *playSession, notify bool) {
	delete(h.live.sessions, playerKey(ps.clientID, ps.sessionID))
	h.sessionEndedLocked(ps)
	ps.state = "stopped"
	if notify {
		h.publishPlaying(ps)
	}
	if ps.transcode != nil {
		ps.transcode.complete = true
		h.hub.Publish(Notification{Type: "transcodeSession.end", Entry: ps.transcode.entry(ps, false), AccountID: ps.accountID})
	}
	if ps.played {
		h.webhook(ps, "media.stop")
	}
}

// current returns where ps's player is at now: a playing one moves with the clock, up to the
// end. What the server shows is the last report (ps.offset), as a PMS shows it; the emulator's
// own players report where they are every ReportInterval.
func (ps *playSession) current(now time.Time) int {
	if ps.state != "playing" {
		return ps.offset
	}
	return min(ps.offset+int(now.Sub(ps.at)/time.Millisecond), ps.duration)
}

// Tick moves playback to the emulator clock's current time: the emulator's own players report
// every ReportInterval (and are scrobbled past the threshold) and stop at the end of their item,
// and sessions without a report for SessionTimeout are dropped. Requests tick first;
// the emulator also ticks every second and after every Advance.
func (s *Server) Tick() {
	h := s.impl()
	h.live.mu.Lock()
	h.tickLocked(h.cfg.Now())
	h.live.mu.Unlock()
	for _, t := range h.live.tickers {
		t()
	}
}

func (h *handler) tickLocked(now time.Time) {
	for _, ps := range h.sortedSessionsLocked() {
		if ps.virtual && ps.state == "playing" {
			cur := ps.current(now)
			switch {
			case ps.duration > 0 && cur >= ps.duration:
				ps.offset, ps.at = cur, now
				h.remember(ps)
				h.checkScrobble(ps)
				h.stopLocked(ps)
				continue
			case now.Sub(ps.report) >= ReportInterval:
				ps.offset, ps.at, ps.report = cur, now, now
				h.publishPlaying(ps)
				h.remember(ps)
				h.checkScrobble(ps)
			}
		}
		if !ps.virtual && now.Sub(ps.report) >= SessionTimeout {
			h.stopLocked(ps)
		}
	}
}

// checkScrobble marks ps's item played once the reported offset passes the threshold.
func (h *handler) checkScrobble(ps *playSession) {
	if ps.scrobbled || ps.duration <= 0 || ps.offset*100 < ps.duration*h.threshold() {
		return
	}
	ps.scrobbled = true
	h.markPlayed(ps.accountID, ps.rk)
	h.webhook(ps, "media.scrobble")
	h.onDeckWebhook(ps)
}

func (h *handler) threshold() int {
	if t := h.cfg.PlayedThreshold; t > 0 && t <= 100 {
		return t
	}
	return DefaultPlayedThreshold
}

// remember stores ps's offset as the account's resume point, unless the item was just marked
// played in this session (a PMS clears the resume point then).
func (h *handler) remember(ps *playSession) {
	if !ps.scrobbled {
		h.setViewOffset(ps.accountID, ps.rk, ps.offset)
	}
}

// sortedSessionsLocked returns the sessions by sessionKey.
func (h *handler) sortedSessionsLocked() []*playSession {
	out := make([]*playSession, 0, len(h.live.sessions))
	for _, ps := range h.live.sessions {
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b *playSession) int { return cmp.Compare(a.key, b.key) })
	return out
}

// restartPlayback forgets every session and starts sessionKeys from 1 again, as a restarted
// PMS does; players that keep reporting get new sessions.
func (h *handler) restartPlayback() {
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	clear(h.live.sessions)
	clear(h.live.wantTrans)
	clear(h.live.ended)
	clear(h.live.players)
	h.live.next = 1
}

// playerFrom reads a player's description from its request.
func playerFrom(r *http.Request) playerInfo {
	hd := func(name string) string {
		if v := r.Header.Get(name); v != "" {
			return v
		}
		return r.URL.Query().Get(name)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return playerInfo{
		product:         hd("X-Plex-Product"),
		platform:        hd("X-Plex-Platform"),
		platformVersion: hd("X-Plex-Platform-Version"),
		device:          hd("X-Plex-Device"),
		title:           cmp.Or(hd("X-Plex-Device-Name"), hd("X-Plex-Product")),
		version:         hd("X-Plex-Version"),
		vendor:          hd("X-Plex-Device-Vendor"),
		address:         host,
		local:           ip != nil && (ip.IsLoopback() || ip.IsPrivate()),
	}
}

// timeline serves /:/timeline (GET or POST; the spec lists POST, players send both).
func (h *handler) timeline(c *call) {
	q := c.query
	clientID := cmp.Or(c.r.Header.Get("X-Plex-Client-Identifier"), q.Get("X-Plex-Client-Identifier"))
	if clientID == "" {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	rk := q.Get("ratingKey")
	if rk == "" {
		rk = lastSegment(q.Get("key"))
	}
	offset, err := strconv.Atoi(cmp.Or(q.Get("time"), "0"))
	switch {
	case err != nil:
		writeError(c.w, http.StatusBadRequest)
		return
	case rk == "" || q.Get("state") == "":
		list{head: reportAnswer{}}.write(c.w, c.json) // a report without an item or a state changes nothing
		return
	}
	pq, _ := strconv.Atoi(q.Get("playQueueItemID"))
	text, err := h.apply(report{
		caller: c.caller, clientID: clientID,
		sessionID: cmp.Or(c.r.Header.Get("X-Plex-Session-Identifier"), q.Get("X-Plex-Session-Identifier")),
		ratingKey: rk, state: q.Get("state"), offset: offset, pqItemID: pq, player: playerFrom(c.r),
	})
	if err != nil {
		writeError(c.w, err.(*reportError).status)
		return
	}
	head := reportAnswer{}
	if text != "" {
		head.TerminationCode, head.TerminationText = terminationCode, text
	}
	list{head: head}.write(c.w, c.json)
}

// progress serves /:/progress?key=<ratingKey>&time=<ms>&state=…: the owner sets a resume
// point without a session (other accounts get 401: its role is admin).
func (h *handler) progress(c *call) {
	q := c.query
	rk := cmp.Or(q.Get("key"), q.Get("ratingKey"))
	offset, err := strconv.Atoi(q.Get("time"))
	key, ok := ParseRatingKey(lastSegment(rk))
	if ok {
		_, ok = h.store.Item(key)
	}
	switch {
	case err != nil || offset < 0:
		writeError(c.w, http.StatusBadRequest)
		return
	case !ok:
		writeError(c.w, http.StatusNotFound)
		return
	}
	// time=0 does not reset progress on a PMS (unscrobble does).
	if offset > 0 {
		h.setViewOffset(c.caller.AccountID, key, offset)
	}
	list{head: reportAnswer{}}.write(c.w, c.json)
}

// terminate serves POST /status/sessions/terminate?sessionId=&reason=: the session ends now,
// and its player's next report is answered with terminationCode 2006.
func (h *handler) terminate(c *call) {
	id := c.query.Get("sessionId")
	if id == "" {
		writeError(c.w, http.StatusForbidden) // the spec's answer for an empty sessionId
		return
	}
	now := h.cfg.Now()
	l := h.live
	l.mu.Lock()
	defer l.mu.Unlock()
	h.tickLocked(now)
	for pk, ps := range l.sessions {
		if ps.id == id {
			reason := cmp.Or(c.query.Get("reason"), "Terminated by the server owner")
			l.ended[pk] = "Admin terminated playback with reason: " + reason
			h.stopLocked(ps)
			writeOK(c)
			return
		}
	}
	writeError(c.w, http.StatusNotFound)
}

// randomID returns n (at most 26) random lower-case letters and digits, the shape of Plex's
// session and transcode ids.
func randomID(n int) string { return strings.ToLower(rand.Text()[:n]) }

// PlayRequest is a timeline report the control API makes on behalf of a player the emulator
// plays itself.
type PlayRequest struct {
	Caller    Caller // the account playing
	Player    string // the player's client identifier (and title)
	RatingKey string
	State     string // playing, paused, buffering, stopped
	Offset    time.Duration
	Transcode bool
}

// Play applies r as the player's report. The error names what was wrong with r.
func (s *Server) Play(r PlayRequest) error {
	h := s.impl()
	_, err := h.apply(report{
		caller: r.Caller, clientID: r.Player, ratingKey: r.RatingKey, state: r.State,
		offset: int(r.Offset / time.Millisecond), virtual: true, transcode: r.Transcode,
		player: playerInfo{product: "Plex Web", platform: "Chrome", title: r.Player, version: "4.128.0",
			address: "127.0.0.1", local: true},
	})
	return err
}

// SessionState is one session as Sessions reports it, for tests and the control API.
type SessionState struct {
	SessionKey string        `json:"sessionKey"`
	AccountID  int           `json:"accountID"`
	RatingKey  string        `json:"ratingKey"`
	Player     string        `json:"player"`
	State      string        `json:"state"`
	Offset     time.Duration `json:"-"`
	// OffsetMillis is Offset in milliseconds, the unit of Plex's viewOffset and of the control
	// API's offset parameter: what the JSON of the control API carries as "offset".
	OffsetMillis int64  `json:"offset"`
	Transcode    string `json:"transcode,omitempty"`
}

// Sessions returns the sessions playing now, by sessionKey.
func (s *Server) Sessions() []SessionState {
	h := s.impl()
	now := h.cfg.Now()
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	h.tickLocked(now)
	var out []SessionState
	for _, ps := range h.sortedSessionsLocked() {
		st := SessionState{SessionKey: strconv.Itoa(ps.key), AccountID: ps.accountID, RatingKey: ps.ratingKey,
			Player: ps.clientID, State: ps.state, Offset: time.Duration(ps.offset) * time.Millisecond, OffsetMillis: int64(ps.offset)}
		if ps.transcode != nil {
			st.Transcode = ps.transcode.id
		}
		out = append(out, st)
	}
	return out
}
