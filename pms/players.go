package pms

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// PlayersService controls players through the server, as python-plexapi's PlexClient does
// with proxyThroughServer: the server forwards each command to the player named by the
// X-Plex-Target-Client-Identifier header. Players decide whom they obey — usually only the
// account signed in on them — so a command to another account's player fails with an error
// matching plexkit.ErrForbidden (or plexkit.ErrUnauthorized), and one to a player the server
// does not know with plexkit.ErrNotFound.
//
// There is no official spec for /clients or /player/*; the shapes here follow python-plexapi
// (plexapi/client.py PlexClient.sendCommand and its playback methods, ClientTimeline;
// plexapi/server.py PlexServer.clients).
type PlayersService service

// Capabilities returns ProtocolCapabilities as a list: timeline, playback, navigation, mirror,
// playqueues…
func (p PlayerClient) Capabilities() []string {
	if p.ProtocolCapabilities == "" {
		return nil
	}
	return strings.Split(p.ProtocolCapabilities, ",")
}

// List returns the players the server can control now (GET /clients, as Server.Clients). A
// server may list to a shared user only that user's players, or none.
func (s *PlayersService) List(ctx context.Context) ([]PlayerClient, error) {
	return (*ServerService)(s).Clients(ctx)
}

// Remote returns a remote control for the player with machineIdentifier (a PlayerClient's
// MachineIdentifier, or a Session's Player.MachineIdentifier). It makes no request: a player
// that is not there shows up as an error from the first command.
func (s *PlayersService) Remote(machineIdentifier string) *Remote {
	return &Remote{client: s.client, id: machineIdentifier}
}

// Remote sends commands to one player through the server. Each command carries a commandID
// that counts up from 1 for this Remote, as python-plexapi counts per PlexClient; players use
// it to order commands and echo it in their timelines. A Remote is safe for concurrent use.
type Remote struct {
	client    *Client
	id        string
	commandID atomic.Int64
	mediaType atomic.Value // string
}

// MachineIdentifier returns the player's identifier.
func (r *Remote) MachineIdentifier() string { return r.id }

// SetMediaType makes the playback commands name the media type they act on: "video",
// "music" or "photo" (python-plexapi's mtype; a player may play music behind a photo
// slideshow). Empty, the default, names none, and the player acts on what it plays.
func (r *Remote) SetMediaType(mtype string) { r.mediaType.Store(mtype) }

// send sends /player/{command} with params and the next commandID.
func (r *Remote) send(ctx context.Context, command string, q url.Values, child childFunc, keys ...string) error {
	if r.id == "" {
		return &ArgumentError{Arg: "machineIdentifier", Reason: "a Remote needs the player's machine identifier"}
	}
	if q == nil {
		q = url.Values{}
	}
	if strings.HasPrefix(command, "playback/") {
		if t, _ := r.mediaType.Load().(string); t != "" && q.Get("type") == "" {
			q.Set("type", t)
		}
	}
	q.Set("commandID", strconv.FormatInt(r.commandID.Add(1), 10))
	_, err := r.client.do(ctx, &request{
		method: http.MethodGet, path: "player/" + command, query: q,
		header: http.Header{"X-Plex-Target-Client-Identifier": {r.id}},
		child:  child, childKeys: keys,
	})
	return err
}

// Play resumes playback (playback/play).
func (r *Remote) Play(ctx context.Context) error { return r.send(ctx, "playback/play", nil, nil) }

// Pause pauses playback (playback/pause). A player with nothing playing ignores it.
func (r *Remote) Pause(ctx context.Context) error {
	return r.send(ctx, "playback/pause", nil, nil)
}

// Stop stops playback (playback/stop); the session ends.
func (r *Remote) Stop(ctx context.Context) error { return r.send(ctx, "playback/stop", nil, nil) }

// SeekTo moves playback to offset from the start (playback/seekTo, in milliseconds).
func (r *Remote) SeekTo(ctx context.Context, offset time.Duration) error {
	if offset < 0 {
		return &ArgumentError{Arg: "offset", Reason: "is from the start: it cannot be negative"}
	}
	return r.send(ctx, "playback/seekTo", url.Values{"offset": {strconv.FormatInt(offset.Milliseconds(), 10)}}, nil)
}

// SkipNext moves to the next item of the play queue the player plays from
// (playback/skipNext); without a next item nothing changes.
func (r *Remote) SkipNext(ctx context.Context) error {
	return r.send(ctx, "playback/skipNext", nil, nil)
}

// SkipPrevious moves to the previous item of the play queue (playback/skipPrevious).
func (r *Remote) SkipPrevious(ctx context.Context) error {
	return r.send(ctx, "playback/skipPrevious", nil, nil)
}

// SetVolume sets the player's volume, 0 to 100 (playback/setParameters?volume=).
func (r *Remote) SetVolume(ctx context.Context, volume int) error {
	if volume < 0 || volume > 100 {
		return &ArgumentError{Arg: "volume", Reason: "is from 0 to 100"}
	}
	return r.send(ctx, "playback/setParameters", url.Values{"volume": {strconv.Itoa(volume)}}, nil)
}

// PlayMediaOptions tunes PlayMedia.
type PlayMediaOptions struct {
	// Offset is where to start, from the beginning.
	Offset time.Duration
	// PlayQueueID is the play queue to play the item from (its containerKey). Zero makes one of
	// the item, as python-plexapi's playMedia does, so that the player can skip within it.
	PlayQueueID int
}

// PlayMedia makes the player play item (playback/playMedia): a new session of it starts on
// the player. The player fetches the item from this server; it uses its own sign-in, so no
// token is put in the command.
func (r *Remote) PlayMedia(ctx context.Context, item Item, opts PlayMediaOptions) error {
	if item.RatingKey == "" {
		return &ArgumentError{Arg: "item", Reason: "PlayMedia needs an item with a rating key"}
	}
	if opts.Offset < 0 {
		return &ArgumentError{Arg: "offset", Reason: "is from the start: it cannot be negative"}
	}
	mtype, queueType := "video", "video"
	switch item.Type {
	case "track", "album", "artist":
		mtype, queueType = "music", "audio"
	case "photo", "photoalbum":
		mtype, queueType = "photo", "photo"
	}
	pq := opts.PlayQueueID
	if pq == 0 {
		q, err := r.client.PlayQueues.Create(ctx, PlayQueueSource{RatingKey: string(item.RatingKey), Type: queueType})
		if err != nil {
			return err
		}
		pq = int(q.ID)
	}
	base, err := url.Parse(r.client.BaseURL())
	if err != nil {
		return err
	}
	machineID, err := r.client.machineIdentifier(ctx)
	if err != nil {
		return err
	}
	key := item.Key
	if key == "" || strings.HasSuffix(key, "/children") {
		key = "/library/metadata/" + string(item.RatingKey)
	}
	port := base.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[base.Scheme]
	}
	return r.send(ctx, "playback/playMedia", url.Values{
		"providerIdentifier": {"com.plexapp.plugins.library"},
		"machineIdentifier":  {machineID},
		"protocol":           {base.Scheme},
		"address":            {base.Hostname()},
		"port":               {port},
		"offset":             {strconv.FormatInt(opts.Offset.Milliseconds(), 10)},
		"key":                {key},
		"type":               {mtype},
		"containerKey":       {"/playQueues/" + strconv.Itoa(pq) + "?window=100&own=1"},
	}, nil)
}

// PlayerTimeline is what a player says it plays for one media type (timeline/poll). A
// stopped timeline carries little more than Type and State.
type PlayerTimeline struct {
	Type     string  `json:"type" xml:"type,attr"`   // video, music or photo
	State    string  `json:"state" xml:"state,attr"` // playing, paused, buffering, stopped
	Time     FlexInt `json:"time,omitempty" xml:"time,attr"`
	Duration FlexInt `json:"duration,omitempty" xml:"duration,attr"`
	// RatingKey and Key name the item; MachineIdentifier the server it comes from.
	RatingKey          FlexString `json:"ratingKey,omitempty" xml:"ratingKey,attr"`
	Key                string     `json:"key,omitempty" xml:"key,attr"`
	ItemType           string     `json:"itemType,omitempty" xml:"itemType,attr"`
	MachineIdentifier  string     `json:"machineIdentifier,omitempty" xml:"machineIdentifier,attr"`
	ProviderIdentifier string     `json:"providerIdentifier,omitempty" xml:"providerIdentifier,attr"`
	ContainerKey       string     `json:"containerKey,omitempty" xml:"containerKey,attr"`
	PlayQueueID        FlexInt    `json:"playQueueID,omitempty" xml:"playQueueID,attr"`
	PlayQueueItemID    FlexInt    `json:"playQueueItemID,omitempty" xml:"playQueueItemID,attr"`
	PlayQueueVersion   FlexInt    `json:"playQueueVersion,omitempty" xml:"playQueueVersion,attr"`
	Location           string     `json:"location,omitempty" xml:"location,attr"`
	SeekRange          string     `json:"seekRange,omitempty" xml:"seekRange,attr"`
	Volume             FlexInt    `json:"volume,omitempty" xml:"volume,attr"`
	Shuffle            FlexBool   `json:"shuffle,omitempty" xml:"shuffle,attr"`
	Repeat             FlexInt    `json:"repeat,omitempty" xml:"repeat,attr"` // 0 off, 1 one, 2 all
	// Controllable lists the commands the player takes now, comma-separated.
	Controllable string  `json:"controllable,omitempty" xml:"controllable,attr"`
	Address      string  `json:"address,omitempty" xml:"address,attr"`
	Port         FlexInt `json:"port,omitempty" xml:"port,attr"`
	Protocol     string  `json:"protocol,omitempty" xml:"protocol,attr"`
}

// Position returns Time as a duration.
func (t PlayerTimeline) Position() time.Duration { return time.Duration(t.Time) * time.Millisecond }

// Timelines polls the player's timelines, one per media type (timeline/poll?wait=0).
func (r *Remote) Timelines(ctx context.Context) ([]PlayerTimeline, error) {
	out := []PlayerTimeline{}
	err := r.send(ctx, "timeline/poll", url.Values{"wait": {"0"}}, collect(&out, "Timeline"), "Timeline")
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ActiveTimeline returns the first timeline in ts that is not stopped, as python-plexapi's
// PlexClient.timeline does, and false when nothing plays.
func ActiveTimeline(ts []PlayerTimeline) (PlayerTimeline, bool) {
	for _, t := range ts {
		if t.State != "" && t.State != "stopped" {
			return t, true
		}
	}
	return PlayerTimeline{}, false
}
