package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plexkit/plexkit/emulator/internal/pmsemu"
)

// Live playback on the emulated servers: sessions, notifications and webhooks (see package
// pmsemu for how a PMS makes them). Tests drive playback as a player would (GET or POST
// /:/timeline on a server) or through Play and POST /__emulator/playback; they break
// notification streams with DropNotifications and RestartServer.

// ErrNoSuchServer: the name is not a seeded server's.
var ErrNoSuchServer = errors.New("emulator: no such server")

// ErrNotStarted: the servers listen only after Start.
var ErrNotStarted = errors.New("emulator: not started")

// Playback is one report of a player the emulator plays itself.
type Playback struct {
	Server string // server name or machine identifier
	User   string // username of the account playing (the owner or one the server is shared with)
	// Item is the rating key of the episode, movie or track played.
	Item string
	// Player is the player's client identifier (default "plexkit-emulator-player").
	Player string
	// State is playing, paused, buffering or stopped.
	State string
	// Offset is the position reported.
	Offset time.Duration
	// Transcode asks for a transcoded session (on the report that creates it).
	Transcode bool
}

// Play reports p as its player: the first report creates a session, the next ones move it,
// "stopped" ends it; the server notifies, scrobbles and posts webhooks as for a real player.
// The emulator then keeps reporting for the player every 10 s of its clock while it plays.
func (e *Emulator) Play(p Playback) error {
	e.lazyInit()
	e.mu.Lock()
	s := e.serverNamed(p.Server)
	a := e.byName[strings.ToLower(p.User)]
	e.mu.Unlock()
	switch {
	case s == nil:
		return fmt.Errorf("%w: %q", ErrNoSuchServer, p.Server)
	case s.pms == nil:
		return ErrNotStarted
	case a == nil:
		return fmt.Errorf("%w: %q", ErrNoSuchAccount, p.User)
	}
	caller, res := pmsAuthorizer{e}.Authorize(s.machineID, e.serverTokenFor(s, a))
	if res != pmsemu.AuthOK {
		return fmt.Errorf("emulator: %s has no access to server %s", a.username, s.name)
	}
	player := p.Player
	if player == "" {
		player = "plexkit-emulator-player"
	}
	return s.pms.Play(pmsemu.PlayRequest{Caller: caller, Player: player, RatingKey: p.Item, State: p.State,
		Offset: p.Offset, Transcode: p.Transcode})
}

// serverTokenFor returns the access token plex.tv lists for a on s ("" when a has none). The
// caller holds no lock.
func (e *Emulator) serverTokenFor(s *server, a *account) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a == s.owner {
		return s.ownerToken
	}
	if sh := s.shares[a.id]; sh != nil {
		return sh.token
	}
	return ""
}

// serverNamed finds a server by name or machine identifier; the caller holds e.mu.
func (e *Emulator) serverNamed(name string) *server {
	for _, s := range e.servers {
		if strings.EqualFold(s.name, name) || strings.EqualFold(s.machineID, name) {
			return s
		}
	}
	return nil
}

// pmsOf returns the running PMS of the named server.
func (e *Emulator) pmsOf(name string) (*pmsemu.Server, error) {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.serverNamed(name)
	switch {
	case s == nil:
		return nil, fmt.Errorf("%w: %q", ErrNoSuchServer, name)
	case s.pms == nil:
		return nil, ErrNotStarted
	}
	return s.pms, nil
}

// runningServers returns the PMS of every started server.
func (e *Emulator) runningServers() []*pmsemu.Server {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*pmsemu.Server
	for _, s := range e.servers {
		if s.pms != nil {
			out = append(out, s.pms)
		}
	}
	return out
}

// LiveSession is a session playing on a server, as the server holds it.
type LiveSession = pmsemu.SessionState

// Sessions returns the sessions playing on the named server now, by sessionKey.
func (e *Emulator) Sessions(server string) ([]LiveSession, error) {
	p, err := e.pmsOf(server)
	if err != nil {
		return nil, err
	}
	return p.Sessions(), nil
}

// DropNotifications closes every open notification stream (websocket and SSE) of the named
// server, or of every server when server is "", without a close frame, as a network failure
// would. It returns how many streams it closed.
func (e *Emulator) DropNotifications(server string) (int, error) {
	servers := e.runningServers()
	if server != "" {
		p, err := e.pmsOf(server)
		if err != nil {
			return 0, err
		}
		servers = []*pmsemu.Server{p}
	}
	n := 0
	for _, p := range servers {
		n += p.DropNotifications()
	}
	return n, nil
}

// RestartServer does to the named server what a PMS restart does: its notification streams
// drop, its sessions are forgotten and sessionKeys start from 1 again (players that keep
// reporting get new sessions), and the transient tokens it minted stop working.
func (e *Emulator) RestartServer(server string) error {
	p, err := e.pmsOf(server)
	if err != nil {
		return err
	}
	p.Restart()
	return nil
}

// SetReachable sets whether plex.tv can reach the named server from outside (its remote
// access). A change sends the server's "reachability" notification to its admin streams
// ({"reachability": false} when it goes down) and shows in its /myplex/account
// (mappingState "mapped", or "failed" with mappingError "unreachable"). Servers start
// reachable. It reports whether the state changed.
func (e *Emulator) SetReachable(server string, reachable bool) (bool, error) {
	p, err := e.pmsOf(server)
	if err != nil {
		return false, err
	}
	return p.SetReachable(reachable), nil
}

// WebhookStats returns the named server's webhook deliveries: sent, failed and dropped.
func (e *Emulator) WebhookStats(server string) (pmsemu.WebhookStats, error) {
	p, err := e.pmsOf(server)
	if err != nil {
		return pmsemu.WebhookStats{}, err
	}
	return p.WebhookStats(), nil
}

// webhookURLs returns the webhook URLs the account with plex.tv id registered, for the
// servers' webhook senders.
func (e *Emulator) webhookURLs(id int) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.tv.webhooks[id])
}

// tick moves every running server's playback to the clock.
func (e *Emulator) tick() {
	for _, p := range e.runningServers() {
		p.Tick()
	}
}

// ticker ticks the servers every second until done is closed, so that playing sessions move
// with the clock even when nobody asks.
func (e *Emulator) ticker(done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			e.tick()
		}
	}
}

// ctlPlayback serves POST /__emulator/playback: server, user, item, player, state, offset (a
// Go duration or milliseconds), transcode. GET lists the sessions of server.
func (e *Emulator) ctlPlayback(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	f := r.Form
	if r.Method == http.MethodGet {
		list, err := e.Sessions(f.Get("server"))
		if err != nil {
			ctlError(w, http.StatusBadRequest, err.Error())
			return
		}
		if list == nil {
			list = []LiveSession{}
		}
		writeJSON(w, http.StatusOK, list)
		return
	}
	p := Playback{Server: f.Get("server"), User: f.Get("user"), Item: f.Get("item"), Player: f.Get("player"), State: f.Get("state")}
	if p.Server == "" || p.User == "" || p.Item == "" || p.State == "" {
		ctlError(w, http.StatusBadRequest, "server, user, item and state are required")
		return
	}
	if v := f.Get("offset"); v != "" {
		ms, err := strconv.Atoi(v)
		p.Offset = time.Duration(ms) * time.Millisecond
		if err != nil {
			if p.Offset, err = time.ParseDuration(v); err != nil {
				ctlError(w, http.StatusBadRequest, "offset "+quote(v)+" is neither milliseconds nor a Go duration")
				return
			}
		}
	}
	var err error
	if p.Transcode, err = parseBool("transcode", f.Get("transcode")); err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := e.Play(p); err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ctlDropNotifications serves POST /__emulator/notifications/drop (form value server,
// optional): it answers {"dropped": n}.
func (e *Emulator) ctlDropNotifications(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	n, err := e.DropNotifications(r.Form.Get("server"))
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"dropped": n})
}

// ctlRestart serves POST /__emulator/servers/restart (form value server).
func (e *Emulator) ctlRestart(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	if err := e.RestartServer(r.Form.Get("server")); err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ctlReachability serves POST /__emulator/servers/reachability (form server, reachable: a
// boolean): see SetReachable. It answers {"changed": bool}.
func (e *Emulator) ctlReachability(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	v := r.Form.Get("reachable")
	if v == "" {
		ctlError(w, http.StatusBadRequest, "reachable is required (true or false)")
		return
	}
	reachable, err := parseBool("reachable", v)
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	changed, err := e.SetReachable(r.Form.Get("server"), reachable)
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"changed": changed})
}
