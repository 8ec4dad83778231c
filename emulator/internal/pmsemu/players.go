package pmsemu

import (
	"cmp"
	"encoding/xml"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Remote control of players through the server (python-plexapi's PlexClient with
// proxyThroughServer). There is no official spec for /clients or /player/*; what this file
// relies on, with its confidence (H high, M medium, I inferred or chosen here):
//
//   - GET /clients lists the players the server can control as <Server> elements with name,
//     host, address, port, machineIdentifier, version, protocol, product, deviceClass,
//     protocolVersion and protocolCapabilities; python-plexapi indexes host with no default
//     (M: python-plexapi server.py PlexServer.clients; client.py PlexClient._loadData).
//   - A proxied command is GET /player/{controller}/{command} on the server, the player named
//     by the X-Plex-Target-Client-Identifier header, with a commandID query parameter that
//     counts up per PlexClient object (H: client.py PlexClient.sendCommand, _nextCommandId).
//   - Playback commands: pause, play, stop, seekTo?offset=(ms), skipNext, skipPrevious,
//     skipTo?key=, stepForward, stepBack, setParameters?volume=&shuffle=&repeat=,
//     setStreams, refreshPlayQueue, playMedia?key=&offset=&machineIdentifier=&containerKey=&…;
//     each may name the media type it acts on (type=video|music|photo) (H: client.py, the
//     methods of those names and playMedia's command dict).
//   - timeline/poll?wait=&commandID= answers a MediaContainer of Timeline elements with the
//     attributes ClientTimeline._loadData reads (type, state, time, duration, ratingKey, key,
//     machineIdentifier, volume, containerKey, playQueue*, …) (H for the names: client.py
//     ClientTimeline; M for one Timeline per media type, from the players' remote-control API
//     that client.py's docstring points to).
//
// Chosen here (I), each documented where it is made:
//   - a player is known from its first /:/timeline report (the control API's and the seed's
//     players included) and listed while it has a session and for PlayerLinger after;
//   - the owner sees every known player in /clients, a shared user only its own;
//   - a player takes commands only from the account it plays for, as Plex players do (a
//     player answers the account signed in on it); a friend targeting another account's player
//     gets 403, and so does the owner unless Config.OwnerControlsAllPlayers;
//   - an unknown target gets 404, a missing target 400, an unknown command 404;
//   - a command that needs a session (pause, seekTo…) to a player with none answers 200 and
//     changes nothing, as a player does when nothing plays;
//   - a seekTo past the end of the item moves to its end: apply clamps every reported offset
//     to the item's duration, as players do with a scrub bar. python-plexapi's seekTo sends
//     whatever offset it is given, so the clamp is the player's (here the emulator's) choice;
//     a session moved to its end is past the watched threshold and marks the item watched;
//   - every change of a session is applied as that player's own timeline report (apply), so
//     /status/sessions, notifications and webhooks follow exactly as for a report;
//   - timeline/poll answers at once, whatever wait says (a real player may hold a wait=1 poll
//     until something changes).

// PlayerLinger is how long a player stays listed in /clients after its last report or session.
const PlayerLinger = 10 * time.Minute

// Companion defaults the emulator's players advertise (I: the Plex companion protocol's usual
// port and capabilities; python-plexapi lists the capabilities in PlexClient's docstring).
const (
	playerPort         = 32500
	playerCapabilities = "timeline,playback,navigation,mirror,playqueues"
	playerControllable = "playPause,stop,volume,shuffle,repeat,seekTo,skipPrevious,skipNext,stepBack,stepForward"
)

// knownPlayer is a player the server has heard from. Guarded by playback.mu.
type knownPlayer struct {
	clientID  string
	caller    Caller // the account it plays for (its last report's)
	info      playerInfo
	seen      time.Time
	volume    int // 0–100, set by setParameters
	shuffle   int
	repeat    int
	commandID int // the last commandID a controller sent
}

// seePlayerLocked records that rp's player reported now.
func (h *handler) seePlayerLocked(rp report, now time.Time) {
	p := h.live.players[rp.clientID]
	if p == nil {
		p = &knownPlayer{clientID: rp.clientID, volume: 100}
		h.live.players[rp.clientID] = p
	}
	p.caller, p.info, p.seen = rp.caller, rp.player, now
}

// sessionEndedLocked counts the end of ps as its player's last sign of life: PlayerLinger
// runs from there.
func (h *handler) sessionEndedLocked(ps *playSession) {
	if p := h.live.players[ps.clientID]; p != nil {
		if now := h.cfg.Now(); now.After(p.seen) {
			p.seen = now
		}
	}
}

// mediaType is the player timeline an item plays in: video, music or photo.
func mediaType(itemType string) string {
	switch itemType {
	case "track", "album", "artist":
		return "music"
	case "photo", "photoalbum":
		return "photo"
	}
	return "video"
}

// playerSessionsLocked returns clientID's sessions by sessionKey.
func (h *handler) playerSessionsLocked(clientID string) []*playSession {
	var out []*playSession
	for _, ps := range h.sortedSessionsLocked() {
		if ps.clientID == clientID {
			out = append(out, ps)
		}
	}
	return out
}

// listedLocked reports whether p is listed in /clients now.
func (h *handler) listedLocked(p *knownPlayer, now time.Time) bool {
	return now.Sub(p.seen) < PlayerLinger || len(h.playerSessionsLocked(p.clientID)) > 0
}

// clientElem is one player in /clients.
type clientElem struct {
	serverElem                  // what /servers says of a server: name, host, address, port, …
	Protocol             string `json:"protocol" xml:"protocol,attr"`
	Product              string `json:"product" xml:"product,attr"`
	DeviceClass          string `json:"deviceClass" xml:"deviceClass,attr"`
	ProtocolVersion      string `json:"protocolVersion" xml:"protocolVersion,attr"`
	ProtocolCapabilities string `json:"protocolCapabilities" xml:"protocolCapabilities,attr"`
}

type clientsContainer struct {
	XMLName xml.Name     `json:"-" xml:"MediaContainer"`
	Size    int          `json:"size" xml:"size,attr"`
	Server  []clientElem `json:"Server,omitempty" xml:"Server"`
}

// deviceClass guesses a player's class from its platform, as /clients shows it (I).
func deviceClass(platform string) string {
	switch strings.ToLower(platform) {
	case "ios", "android":
		return "phone"
	case "tvos", "roku", "webos", "tizen", "android tv":
		return "stb"
	}
	return "pc"
}

// clients serves GET /clients: the known players the caller may see, by client identifier.
func (h *handler) clients(c *call) {
	now := h.cfg.Now()
	var out []clientElem
	h.live.mu.Lock()
	h.tickLocked(now)
	for _, p := range h.live.players {
		if !h.listedLocked(p, now) || (c.caller.Role != RoleAdmin && p.caller.AccountID != c.caller.AccountID) {
			continue
		}
		out = append(out, clientElem{
			serverElem: serverElem{Name: cmp.Or(p.info.title, p.info.product, p.clientID), Host: p.info.address,
				Address: p.info.address, Port: playerPort, MachineIdentifier: p.clientID, Version: p.info.version},
			Protocol: "plex",
			Product:  p.info.product, DeviceClass: deviceClass(p.info.platform), ProtocolVersion: "1",
			ProtocolCapabilities: playerCapabilities,
		})
	}
	h.live.mu.Unlock()
	slices.SortFunc(out, func(a, b clientElem) int { return cmp.Compare(a.MachineIdentifier, b.MachineIdentifier) })
	writeValue(c, "MediaContainer", clientsContainer{Size: len(out), Server: out})
}

// playerResponse is what a player answers a command with (M: Plex for Samsung answers
// `<Response code="200" status="OK">`, client.py sendCommand's comment).
type playerResponse struct {
	XMLName xml.Name `json:"-" xml:"Response"`
	Code    int      `json:"code" xml:"code,attr"`
	Status  string   `json:"status" xml:"status,attr"`
}

// target finds the player a /player/* call names and checks the caller may control it. It
// answers the error and returns nil when it may not.
func (h *handler) target(c *call) *knownPlayer {
	id := cmp.Or(c.r.Header.Get("X-Plex-Target-Client-Identifier"), c.query.Get("X-Plex-Target-Client-Identifier"))
	if id == "" {
		writeText(c, http.StatusBadRequest, "X-Plex-Target-Client-Identifier is required")
		return nil
	}
	if v := c.query.Get("commandID"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			writeText(c, http.StatusBadRequest, "commandID must be an integer")
			return nil
		}
	}
	now := h.cfg.Now()
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	h.tickLocked(now)
	p := h.live.players[id]
	if p == nil || !h.listedLocked(p, now) {
		writeError(c.w, http.StatusNotFound)
		return nil
	}
	mine := p.caller.AccountID == c.caller.AccountID
	if !mine && !(c.caller.Role == RoleAdmin && h.cfg.OwnerControlsAllPlayers) {
		writeError(c.w, http.StatusForbidden)
		return nil
	}
	if n, err := strconv.Atoi(c.query.Get("commandID")); err == nil {
		p.commandID = n
	}
	return p
}

// playerNoop serves the /player/* commands that change nothing the server can show:
// navigation (the player's menus), mirror/details (a details screen), timeline
// subscribe/unsubscribe (the emulator pushes nothing to controllers; they poll).
func (h *handler) playerNoop(c *call) {
	if h.target(c) == nil {
		return
	}
	writeValue(c, "Response", playerResponse{Code: 200, Status: "OK"})
}

// playerPlayback serves GET /player/playback/{command}.
func (h *handler) playerPlayback(c *call) {
	p := h.target(c)
	if p == nil {
		return
	}
	status, msg := h.playbackCommand(c, p, lastSegment(c.r.URL.Path))
	if status != http.StatusOK {
		if msg == "" {
			writeError(c.w, status)
		} else {
			writeText(c, status, msg)
		}
		return
	}
	writeValue(c, "Response", playerResponse{Code: 200, Status: "OK"})
}

// snapshot is what a command needs to know of a player's session, read under the lock.
type snapshot struct {
	caller               Caller
	info                 playerInfo
	sessionID, ratingKey string
	state                string
	offset, duration     int // ms, where the player is now
	pqItemID             int
	virtual              bool
	ok                   bool // the player has a session of the type asked for
}

// snapshotOf reads p's session of media type mtype ("" for any): the first by sessionKey.
func (h *handler) snapshotOf(p *knownPlayer, mtype string) snapshot {
	now := h.cfg.Now()
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	h.tickLocked(now)
	s := snapshot{caller: p.caller, info: p.info}
	for _, ps := range h.playerSessionsLocked(p.clientID) {
		it, _ := h.store.Item(ps.rk)
		if mtype != "" && mediaType(it.Type) != mtype {
			continue
		}
		s.sessionID, s.ratingKey, s.state = ps.sessionID, ps.ratingKey, ps.state
		s.offset, s.duration, s.pqItemID, s.virtual, s.ok = ps.current(now), ps.duration, ps.pqItemID, ps.virtual, true
		break
	}
	return s
}

// report plays s's change as the player's own timeline report.
func (s snapshot) report(clientID, ratingKey, state string, offset, pqItemID int) report {
	return report{caller: s.caller, clientID: clientID, sessionID: s.sessionID, ratingKey: ratingKey,
		state: state, offset: offset, pqItemID: pqItemID, player: s.info, virtual: s.virtual}
}

// playbackCommand runs one playback command on p; it returns the status to answer.
func (h *handler) playbackCommand(c *call, p *knownPlayer, cmd string) (int, string) {
	q := c.query
	mtype := q.Get("type")
	switch mtype {
	case "", "video", "music", "photo":
	default:
		return http.StatusBadRequest, "type must be video, music or photo"
	}
	s := h.snapshotOf(p, mtype)
	apply := func(rk, state string, offset, pq int) (int, string) {
		if _, err := h.apply(s.report(p.clientID, rk, state, offset, pq)); err != nil {
			re := err.(*reportError)
			return re.status, re.msg
		}
		return http.StatusOK, ""
	}
	switch cmd {
	case "pause":
		if s.ok && (s.state == "playing" || s.state == "buffering") {
			return apply(s.ratingKey, "paused", s.offset, s.pqItemID)
		}
	case "play":
		if s.ok && s.state == "paused" {
			return apply(s.ratingKey, "playing", s.offset, s.pqItemID)
		}
	case "stop":
		if s.ok {
			return apply(s.ratingKey, "stopped", s.offset, s.pqItemID)
		}
	case "seekTo":
		offset, err := strconv.Atoi(q.Get("offset"))
		if err != nil || offset < 0 {
			return http.StatusBadRequest, "offset (milliseconds) is required"
		}
		if s.ok {
			return apply(s.ratingKey, s.state, offset, s.pqItemID)
		}
	case "stepForward", "stepBack":
		// The step sizes are the players' usual defaults (I).
		step := 30_000
		if cmd == "stepBack" {
			step = -15_000
		}
		if s.ok {
			return apply(s.ratingKey, s.state, max(0, s.offset+step), s.pqItemID)
		}
	case "skipNext", "skipPrevious", "skipTo":
		if !s.ok || s.pqItemID == 0 {
			return http.StatusOK, "" // nothing plays from a play queue: nothing to skip to
		}
		e, found := h.skipTarget(s, cmd, q.Get("key"))
		if found {
			return apply(strconv.Itoa(e.rk), "playing", 0, e.id)
		}
	case "setParameters":
		return h.setParameters(c, p)
	case "playMedia":
		return h.playMedia(c, p, s)
	case "setStreams", "refreshPlayQueue":
		// Stream choice and play-queue refresh change nothing the server shows of a session.
	default:
		return http.StatusNotFound, ""
	}
	return http.StatusOK, ""
}

// setParameters keeps volume (0–100), shuffle (0/1) and repeat (0–2) for the player's
// timelines.
func (h *handler) setParameters(c *call, p *knownPlayer) (int, string) {
	type param struct {
		name     string
		max      int
		dst      *int
		val      int
		provided bool
	}
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	ps := []param{{name: "volume", max: 100, dst: &p.volume}, {name: "shuffle", max: 1, dst: &p.shuffle}, {name: "repeat", max: 2, dst: &p.repeat}}
	for i := range ps {
		v := c.query.Get(ps[i].name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > ps[i].max {
			return http.StatusBadRequest, ps[i].name + " must be an integer from 0 to " + strconv.Itoa(ps[i].max)
		}
		ps[i].val, ps[i].provided = n, true
	}
	for _, x := range ps {
		if x.provided {
			*x.dst = x.val
		}
	}
	return http.StatusOK, ""
}

// skipTarget finds the play-queue entry a skip goes to: the next or previous entry of the
// queue holding s's item, or (skipTo) the entry whose item is key.
func (h *handler) skipTarget(s snapshot, cmd, key string) (entry, bool) {
	l := h.lists
	l.mu.Lock()
	defer l.mu.Unlock()
	owner := h.store.LocalAccountID(s.caller.AccountID)
	for _, q := range l.queues {
		if q.owner != owner {
			continue
		}
		for i, e := range q.entries {
			if e.id != s.pqItemID {
				continue
			}
			j := -1
			switch cmd {
			case "skipNext":
				j = i + 1
			case "skipPrevious":
				j = i - 1
			case "skipTo":
				for k, o := range q.entries {
					if strconv.Itoa(o.rk) == lastSegment(key) {
						j = k
					}
				}
			}
			if j < 0 || j >= len(q.entries) {
				return entry{}, false
			}
			q.selected = q.entries[j].id
			return q.entries[j], true
		}
	}
	return entry{}, false
}

// queueEntry returns the id of the entry of the caller's play queue (path "/playQueues/<id>…")
// that holds rk, or 0.
func (h *handler) queueEntry(caller Caller, containerKey string, rk int) int {
	rest, ok := strings.CutPrefix(containerKey, "/playQueues/")
	if !ok {
		return 0
	}
	id, err := strconv.Atoi(strings.SplitN(rest, "?", 2)[0])
	if err != nil {
		return 0
	}
	l := h.lists
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queues[id]
	if q == nil || q.owner != h.store.LocalAccountID(caller.AccountID) {
		return 0
	}
	for _, e := range q.entries {
		if e.rk == rk {
			q.selected = e.id
			return e.id
		}
	}
	return 0
}

// playMedia starts the item key at offset on the player, as if the player had started it and
// reported: a new session (the player's other session of that media type, if any, stops),
// with its notifications and webhooks. The player then plays it as the emulator's own players
// do (it reports every ReportInterval and never times out).
func (h *handler) playMedia(c *call, p *knownPlayer, s snapshot) (int, string) {
	q := c.query
	rk, ok := ParseRatingKey(lastSegment(q.Get("key")))
	if !ok {
		return http.StatusBadRequest, "key (/library/metadata/<ratingKey>) is required"
	}
	// A real player would fetch the item from the server machineIdentifier names; the emulator
	// plays only its own items (I).
	if m := q.Get("machineIdentifier"); m != "" && m != h.cfg.MachineIdentifier {
		return http.StatusBadRequest, "machineIdentifier names another server"
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return http.StatusBadRequest, "offset must be milliseconds"
		}
		offset = n
	}
	// The controller casts only what it may see itself (the player's own account is checked
	// again by apply).
	if it, ok := h.store.Item(rk); !ok || !c.canSee(h.store.Section(it.SectionKey)) {
		return http.StatusNotFound, ""
	}
	pq := h.queueEntry(s.caller, q.Get("containerKey"), rk)
	rp := s.report(p.clientID, strconv.Itoa(rk), "playing", offset, pq)
	rp.virtual = true
	if _, err := h.apply(rp); err != nil {
		re := err.(*reportError)
		return re.status, re.msg
	}
	return http.StatusOK, ""
}

// timelineElem is one media type's timeline in timeline/poll.
type timelineElem struct {
	XMLName            xml.Name `json:"-" xml:"Timeline"`
	Type               string   `json:"type" xml:"type,attr"`
	State              string   `json:"state" xml:"state,attr"`
	Location           string   `json:"location,omitempty" xml:"location,attr,omitempty"`
	Time               *int     `json:"time,omitempty" xml:"time,attr,omitempty"`
	Duration           int      `json:"duration,omitempty" xml:"duration,attr,omitempty"`
	SeekRange          string   `json:"seekRange,omitempty" xml:"seekRange,attr,omitempty"`
	RatingKey          string   `json:"ratingKey,omitempty" xml:"ratingKey,attr,omitempty"`
	Key                string   `json:"key,omitempty" xml:"key,attr,omitempty"`
	ItemType           string   `json:"itemType,omitempty" xml:"itemType,attr,omitempty"`
	ContainerKey       string   `json:"containerKey,omitempty" xml:"containerKey,attr,omitempty"`
	PlayQueueID        int      `json:"playQueueID,omitempty" xml:"playQueueID,attr,omitempty"`
	PlayQueueItemID    int      `json:"playQueueItemID,omitempty" xml:"playQueueItemID,attr,omitempty"`
	PlayQueueVersion   int      `json:"playQueueVersion,omitempty" xml:"playQueueVersion,attr,omitempty"`
	MachineIdentifier  string   `json:"machineIdentifier,omitempty" xml:"machineIdentifier,attr,omitempty"`
	ProviderIdentifier string   `json:"providerIdentifier,omitempty" xml:"providerIdentifier,attr,omitempty"`
	Protocol           string   `json:"protocol,omitempty" xml:"protocol,attr,omitempty"`
	Address            string   `json:"address,omitempty" xml:"address,attr,omitempty"`
	Port               int      `json:"port,omitempty" xml:"port,attr,omitempty"`
	Volume             *int     `json:"volume,omitempty" xml:"volume,attr,omitempty"`
	Shuffle            *int     `json:"shuffle,omitempty" xml:"shuffle,attr,omitempty"`
	Repeat             *int     `json:"repeat,omitempty" xml:"repeat,attr,omitempty"`
	Controllable       string   `json:"controllable,omitempty" xml:"controllable,attr,omitempty"`
}

type playerTimelineContainer struct {
	XMLName   xml.Name       `json:"-" xml:"MediaContainer"`
	Size      int            `json:"size" xml:"size,attr"`
	CommandID int            `json:"commandID" xml:"commandID,attr"`
	Location  string         `json:"location" xml:"location,attr"`
	Timeline  []timelineElem `json:"Timeline" xml:"Timeline"`
}

// playerTimeline serves GET /player/timeline/{poll|subscribe|unsubscribe}: poll answers the
// player's three timelines (music, photo, video, in that order; M), each stopped unless the
// player has a session of that type.
func (h *handler) playerTimeline(c *call) {
	switch lastSegment(c.r.URL.Path) {
	case "subscribe", "unsubscribe":
		h.playerNoop(c)
		return
	case "poll":
	default:
		if h.target(c) != nil {
			writeError(c.w, http.StatusNotFound)
		}
		return
	}
	p := h.target(c)
	if p == nil {
		return
	}
	host, portText, err := net.SplitHostPort(c.r.Host)
	if err != nil {
		host = c.r.Host
	}
	port, _ := strconv.Atoi(portText)
	protocol := "http"
	if c.r.TLS != nil {
		protocol = "https"
	}
	now := h.cfg.Now()
	head := playerTimelineContainer{Location: "navigation"}
	h.live.mu.Lock()
	h.tickLocked(now)
	head.CommandID = p.commandID
	sessions := h.playerSessionsLocked(p.clientID)
	for _, mtype := range []string{"music", "photo", "video"} {
		t := timelineElem{Type: mtype, State: "stopped"}
		for _, ps := range sessions {
			it, _ := h.store.Item(ps.rk)
			if mediaType(it.Type) != mtype {
				continue
			}
			cur := ps.current(now)
			vol, shuffle, repeat := p.volume, p.shuffle, p.repeat
			t = timelineElem{
				Type: mtype, State: ps.state, Location: "fullScreen" + strings.ToUpper(mtype[:1]) + mtype[1:],
				Time: &cur, Duration: ps.duration, SeekRange: "0-" + strconv.Itoa(ps.duration),
				RatingKey: ps.ratingKey, Key: "/library/metadata/" + ps.ratingKey, ItemType: it.Type,
				MachineIdentifier: h.cfg.MachineIdentifier, ProviderIdentifier: "com.plexapp.plugins.library",
				Protocol: protocol, Address: host, Port: port,
				Volume: &vol, Shuffle: &shuffle, Repeat: &repeat, Controllable: playerControllable,
			}
			t.PlayQueueItemID = ps.pqItemID
			head.Location = t.Location
			break
		}
		head.Timeline = append(head.Timeline, t)
	}
	h.live.mu.Unlock()
	// The play queues are read after the sessions, not under their lock: the two locks are
	// never held together.
	for i := range head.Timeline {
		t := &head.Timeline[i]
		if t.PlayQueueItemID != 0 {
			if t.PlayQueueID, t.PlayQueueVersion = h.queueOfEntry(t.PlayQueueItemID); t.PlayQueueID != 0 {
				t.ContainerKey = "/playQueues/" + strconv.Itoa(t.PlayQueueID)
			}
		}
	}
	head.Size = len(head.Timeline)
	writeValue(c, "MediaContainer", head)
}

// queueOfEntry returns the id and version of the play queue holding entry id.
func (h *handler) queueOfEntry(id int) (queueID, version int) {
	l := h.lists
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, q := range l.queues {
		for _, e := range q.entries {
			if e.id == id {
				return q.id, q.version
			}
		}
	}
	return 0, 0
}
