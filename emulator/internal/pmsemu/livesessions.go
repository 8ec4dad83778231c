package pmsemu

import (
	"cmp"
	"net/http"
	"strconv"
	"time"
)

// statusSessions serves GET /status/sessions (admin only): the sessions playing now, by
// sessionKey, each at its current offset.
func (h *handler) statusSessions(c *call) {
	start, size, ok := c.paging()
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	now := h.cfg.Now()
	h.live.mu.Lock()
	h.tickLocked(now)
	all := h.sortedSessionsLocked()
	items := make([]metadata, len(all))
	for i, ps := range all {
		items[i] = h.sessionItem(ps)
	}
	h.live.mu.Unlock()
	from, to := window(start, size, len(items))
	setPagingHeaders(c.w, start, len(items))
	list{head: metadataContainer{Size: to - from}, childKey: "Metadata", n: to - from, child: func(i int) any {
		return items[from+i]
	}}.write(c.w, c.json)
}

// sessionItem renders a session: the item being played, who plays it, on what player, over
// what connection, and its transcode. The caller holds h.live.mu.
func (h *handler) sessionItem(ps *playSession) metadata {
	local := h.store.LocalAccountID(ps.accountID)
	m, _ := h.renderKey(ps.rk, view{account: local})
	m.SessionKey = strconv.Itoa(ps.key)
	m.ViewOffset = ps.offset
	acct := h.store.Account(local)
	m.User = &user{ID: strconv.Itoa(acct.ID), Title: acct.Username, Thumb: acct.Thumb}
	p := ps.player
	m.Player = &player{
		Address:             p.address,
		MachineIdentifier:   ps.clientID,
		Model:               p.device,
		Platform:            p.platform,
		PlatformVersion:     p.platformVersion,
		Product:             p.product,
		RemotePublicAddress: p.address,
		State:               ps.state,
		Title:               cmp.Or(p.title, p.product),
		Vendor:              p.vendor,
		Version:             p.version,
		Local:               xbool(p.local),
		Secure:              true,
		UserID:              acct.ID,
	}
	if ps.virtual && p.address != "127.0.0.1" {
		// The seed's players sit on a LAN behind one public address.
		m.Player.RemotePublicAddress = "203.0.113." + strconv.Itoa(1+ps.key%254)
	}
	bandwidth := 0
	if len(m.Media) > 0 {
		bandwidth = m.Media[0].Bitrate + 500
		m.Media[0].Part[0].Decision = "directplay"
		if ps.transcode != nil {
			m.Media[0].Part[0].Decision = "transcode"
		}
	}
	location := "wan"
	if p.local {
		location = "lan"
	}
	m.Session = &session{ID: ps.id, Bandwidth: bandwidth, Location: location}
	if ps.transcode != nil {
		ts := ps.transcode.entry(ps, false)
		ts.Key = "/transcode/sessions/" + ps.transcode.id
		m.TranscodeSession = &ts
	}
	return m
}

// transcodeJob is the transcode of one session.
type transcodeJob struct {
	id        string
	started   time.Time
	announced bool // transcodeSession.start sent
	complete  bool
	progress  float64
	src       media
}

func newTranscodeJob(it Item, now time.Time) *transcodeJob {
	t := &transcodeJob{id: randomID(24), started: now}
	if ms := wireMedia(it.Media, false); len(ms) > 0 {
		t.src = ms[0]
	}
	return t
}

// advance moves the transcoder ahead of the player: it runs at several times real speed, so
// its progress leads the offset.
func (t *transcodeJob) advance(ps *playSession, now time.Time) {
	if ps.duration <= 0 {
		return
	}
	ahead := ps.offset + int(now.Sub(t.started)/time.Millisecond)*4
	t.progress = min(100, float64(ahead)*100/float64(ps.duration))
	if t.progress >= 100 {
		t.complete = true
	}
}

// entry renders the transcode as a TranscodeSession (its key is the bare id, as in
// /transcode/sessions; the notification's is "/transcode/sessions/<id>").
func (t *transcodeJob) entry(ps *playSession, withOffsets bool) TranscodeSessionEntry {
	video := t.src.VideoCodec != ""
	e := TranscodeSessionEntry{
		Key:                     "/transcode/sessions/" + t.id,
		Throttled:               false,
		Complete:                xbool(t.complete),
		Progress:                t.progress,
		Size:                    -22,
		Speed:                   4,
		Error:                   false,
		Duration:                ps.duration,
		Remaining:               max(0, (ps.duration-ps.offset)/4000),
		Context:                 "streaming",
		SourceVideoCodec:        t.src.VideoCodec,
		SourceAudioCodec:        t.src.AudioCodec,
		VideoDecision:           "copy",
		AudioDecision:           "transcode",
		Protocol:                "hls",
		Container:               "mpegts",
		VideoCodec:              t.src.VideoCodec,
		AudioCodec:              "aac",
		AudioChannels:           2,
		TranscodeHwRequested:    xbool(video),
		TranscodeHwFullPipeline: false,
		TimeStamp:               float64(t.started.UnixMilli()) / 1000,
	}
	if video {
		e.Width, e.Height = t.src.Width, t.src.Height
	}
	if withOffsets {
		maxOff := float64(ps.duration) * t.progress / 100 / 1000
		e.MaxOffsetAvailable, e.MinOffsetAvailable = &maxOff, new(float64)
	}
	return e
}

// transcodeSessions serves GET /transcode/sessions (admin): the transcodes running now.
func (h *handler) transcodeSessions(c *call) {
	now := h.cfg.Now()
	h.live.mu.Lock()
	h.tickLocked(now)
	var out []TranscodeSessionEntry
	for _, ps := range h.sortedSessionsLocked() {
		if ps.transcode != nil {
			e := ps.transcode.entry(ps, false)
			e.Key = ps.transcode.id
			out = append(out, e)
		}
	}
	h.live.mu.Unlock()
	list{head: metadataContainer{Size: len(out)}, childKey: "TranscodeSession", n: len(out), child: func(i int) any {
		return out[i]
	}}.write(c.w, c.json)
}

// transcodeStart serves GET /{type}/:/transcode/universal/start.*: the player's session will be
// transcoded. The stream itself is the spec's example manifest.
func (h *handler) transcodeStart(c *call) {
	clientID := cmp.Or(c.r.Header.Get("X-Plex-Client-Identifier"), c.query.Get("X-Plex-Client-Identifier"))
	sessionID := cmp.Or(c.r.Header.Get("X-Plex-Session-Identifier"), c.query.Get("X-Plex-Session-Identifier"))
	if clientID != "" {
		h.live.mu.Lock()
		h.live.wantTrans[playerKey(clientID, sessionID)] = true
		h.live.mu.Unlock()
	}
	serveEmpty(c, c.op)
}

// transcodeDecision serves GET /{type}/:/transcode/universal/decision: a player that refuses
// direct play (directPlay=0) is asking for a transcode, which its session gets.
func (h *handler) transcodeDecision(c *call) {
	q := c.query
	clientID := cmp.Or(c.r.Header.Get("X-Plex-Client-Identifier"), q.Get("X-Plex-Client-Identifier"))
	if clientID == "" {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	sessionID := cmp.Or(c.r.Header.Get("X-Plex-Session-Identifier"), q.Get("X-Plex-Session-Identifier"))
	transcode := q.Get("directPlay") == "0"
	head := decisionContainer{GeneralDecisionCode: 1000, GeneralDecisionText: "Direct play OK.",
		DirectPlayDecisionCode: 1000, DirectPlayDecisionText: "Direct play OK."}
	if transcode {
		h.live.mu.Lock()
		h.live.wantTrans[playerKey(clientID, sessionID)] = true
		h.live.mu.Unlock()
		head = decisionContainer{GeneralDecisionCode: 1001, GeneralDecisionText: "Direct play not available; Conversion OK.",
			DirectPlayDecisionCode: 3000, DirectPlayDecisionText: "App cannot direct play this item. Direct play is disabled.",
			TranscodeDecisionCode: 1001, TranscodeDecisionText: "Direct play not available; Conversion OK."}
	}
	list{head: head}.write(c.w, c.json)
}
