package pmsemu

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"sync"
	"sync/atomic"
	"time"
)

// Webhooks (reference: plex-live.md §4): for each event the server POSTs a multipart/form-data
// body to every URL the accounts concerned registered on plex.tv (Config.Webhooks): a "payload"
// field with the JSON, and for the poster events a "thumb" JPEG file part. The hooks of the
// account that acted get "user": true; the owner's get "owner": true (one post when the owner
// acted). playback.started goes to the owner only.
//
// Delivery never blocks the server: each URL has its own queue of WebhookQueue deliveries, sent
// in order by one goroutine (so a receiver sees play before pause, and a slow or dead receiver
// delays only itself), each POST bounded by WebhookTimeout. When a URL's queue is full the
// delivery is dropped and counted (Plex retries nothing and promises nothing either).

// Webhook delivery limits.
const (
	// WebhookQueue is how many deliveries may wait for one URL.
	WebhookQueue = 256
	// WebhookTimeout bounds one POST.
	WebhookTimeout = 5 * time.Second
	webhookIdle    = 2 * time.Second
)

// WebhookEvent is a webhook the model asks the server to send.
type WebhookEvent struct {
	Event     string // media.play, media.pause, media.resume, media.stop, media.scrobble, media.rate, library.new, library.on.deck, …
	AccountID int    // the account that acted (plex.tv id)
	// Rating is the top-level "rating" of media.rate (0–10).
	Rating *float64
	// Player is the playing device (nil for events without one).
	Player *WebhookPlayer
	// Metadata is the item, as the library API returns it (nil for events without one).
	Metadata any
}

// WebhookPlayer is the "Player" object of a payload.
type WebhookPlayer struct {
	Local         bool   `json:"local"`
	PublicAddress string `json:"publicAddress"`
	Title         string `json:"title"`
	UUID          string `json:"uuid"`
}

// thumbEvents are the events Plex attaches a poster to.
var thumbEvents = map[string]bool{
	"library.on.deck": true, "library.new": true, "media.play": true, "media.rate": true, "playback.started": true,
}

// ownerOnlyEvents go to the owner's hooks only.
var ownerOnlyEvents = map[string]bool{
	"playback.started": true, "admin.database.backup": true, "admin.database.corrupted": true, "device.new": true,
}

// webhookPayload is the JSON of the "payload" part.
type webhookPayload struct {
	Event    string         `json:"event"`
	User     bool           `json:"user"`
	Owner    bool           `json:"owner"`
	Rating   *float64       `json:"rating,omitempty"`
	Account  webhookAccount `json:"Account"`
	Server   webhookServer  `json:"Server"`
	Player   *WebhookPlayer `json:"Player,omitempty"`
	Metadata any            `json:"Metadata,omitempty"`
}

type webhookAccount struct {
	ID    int    `json:"id"`
	Thumb string `json:"thumb"`
	Title string `json:"title"`
}

type webhookServer struct {
	Title string `json:"title"`
	UUID  string `json:"uuid"`
}

// delivery is one POST to one URL.
type delivery struct {
	url   string
	body  []byte
	ctype string
}

// webhookSender is the server's outbox.
type webhookSender struct {
	cfg     *Config
	client  *http.Client
	mu      sync.Mutex
	queues  map[string]chan delivery // by URL; a queue's worker removes it when idle
	sent    atomic.Int64
	failed  atomic.Int64
	dropped atomic.Int64
}

func newWebhookSender(cfg *Config) *webhookSender {
	hc := cfg.WebhookClient
	if hc == nil {
		hc = &http.Client{Timeout: WebhookTimeout}
	}
	return &webhookSender{cfg: cfg, client: hc, queues: map[string]chan delivery{}}
}

// WebhookStats counts deliveries: sent (2xx), failed (an error or another status), dropped
// (the queue was full).
type WebhookStats struct {
	Sent, Failed, Dropped int64
}

// enqueue builds the posts of ev and queues them; it never blocks.
func (w *webhookSender) enqueue(ev WebhookEvent) {
	if w.cfg.Webhooks == nil {
		return
	}
	owner := w.cfg.OwnerAccountID
	type target struct {
		account     int
		user, owner bool
	}
	var targets []target
	switch {
	case ev.AccountID == owner:
		targets = []target{{owner, true, true}}
	case ownerOnlyEvents[ev.Event]:
		targets = []target{{owner, false, true}}
	default:
		targets = []target{{ev.AccountID, true, false}, {owner, false, true}}
	}
	for _, t := range targets {
		urls := w.cfg.Webhooks(t.account)
		if len(urls) == 0 {
			continue
		}
		body, ctype, err := w.body(ev, t.user, t.owner)
		if err != nil {
			continue // an unencodable Metadata is a bug in the model; nothing to send
		}
		for _, u := range urls {
			w.send(delivery{url: u, body: body, ctype: ctype})
		}
	}
}

// send queues d on its URL's queue, starting the URL's worker when it has none.
func (w *webhookSender) send(d delivery) {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queues[d.url]
	if q == nil {
		q = make(chan delivery, WebhookQueue)
		w.queues[d.url] = q
		go w.work(d.url, q)
	}
	select {
	case q <- d:
	default:
		w.dropped.Add(1)
	}
}

// work delivers q's posts in order; after webhookIdle without any it removes q and ends, so an
// idle server holds no goroutines.
func (w *webhookSender) work(url string, q chan delivery) {
	idle := time.NewTimer(webhookIdle)
	defer idle.Stop()
	for {
		select {
		case d := <-q:
			w.post(d)
			idle.Reset(webhookIdle)
		case <-idle.C:
			w.mu.Lock()
			if len(q) > 0 { // queued between the timeout and the lock
				w.mu.Unlock()
				idle.Reset(webhookIdle)
				continue
			}
			delete(w.queues, url)
			w.mu.Unlock()
			return
		}
	}
}

func (w *webhookSender) post(d delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		w.failed.Add(1)
		return
	}
	req.Header.Set("Content-Type", d.ctype)
	req.Header.Set("User-Agent", "PlexMediaServer/"+w.cfg.Version)
	resp, err := w.client.Do(req)
	if err != nil {
		w.failed.Add(1)
		return
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		w.failed.Add(1)
		return
	}
	w.sent.Add(1)
}

// body renders the multipart body of ev for a hook with the given user and owner flags.
func (w *webhookSender) body(ev WebhookEvent, user, owner bool) ([]byte, string, error) {
	acct := webhookAccount{ID: ev.AccountID}
	for _, a := range w.cfg.Accounts {
		if a.ID == ev.AccountID {
			acct.Thumb, acct.Title = a.Thumb, a.Username
		}
	}
	if ev.AccountID == w.cfg.OwnerAccountID {
		acct.ID = 1 // a server's own id for its owner
	}
	payload, err := json.Marshal(webhookPayload{
		Event: ev.Event, User: user, Owner: owner, Rating: ev.Rating, Account: acct,
		Server: webhookServer{Title: w.cfg.Name, UUID: w.cfg.MachineIdentifier},
		Player: ev.Player, Metadata: ev.Metadata,
	})
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	// Plex's boundary: 24 dashes and 24 alphanumerics.
	_ = mw.SetBoundary("------------------------" + randomID(24))
	pw, err := mw.CreateFormField("payload")
	if err != nil {
		return nil, "", err
	}
	pw.Write(payload)
	if thumbEvents[ev.Event] && ev.Metadata != nil {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", `form-data; name="thumb"; filename="thumb.jpg"`)
		hdr.Set("Content-Type", "image/jpeg")
		tw, err := mw.CreatePart(hdr)
		if err != nil {
			return nil, "", err
		}
		tw.Write(thumbJPEG())
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// thumbJPEG is the poster sent with poster events: a small real JPEG.
var thumbJPEG = sync.OnceValue(func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 60, 90))
	for y := range 90 {
		for x := range 60 {
			img.Set(x, y, color.RGBA{uint8(40 + x*2), uint8(60 + y), 140, 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}) // encoding to memory cannot fail
	return b.Bytes()
})

// webhook queues the webhook ev of playback session ps (the caller holds h.live.mu).
func (h *handler) webhook(ps *playSession, event string) {
	if h.cfg.Webhooks == nil {
		return
	}
	m, _ := h.renderKey(ps.rk, view{account: h.store.LocalAccountID(ps.accountID)})
	m.ViewOffset = ps.offset
	p := ps.player
	h.hub.Publish(Notification{Webhook: &WebhookEvent{
		Event:     event,
		AccountID: ps.accountID,
		Player: &WebhookPlayer{Local: p.local, PublicAddress: p.address, Title: p.title,
			UUID: ps.clientID},
		Metadata: h.webhookMetadataOf(m),
	}})
}

// WebhookStats returns the server's webhook delivery counts.
func (s *Server) WebhookStats() WebhookStats {
	w := s.impl().hub.hooks
	return WebhookStats{Sent: w.sent.Load(), Failed: w.failed.Load(), Dropped: w.dropped.Load()}
}

// Publish sends n to the server's notification streams (and its webhook, when it has one);
// it never blocks. See Notification.
func (s *Server) Publish(n Notification) { s.impl().hub.Publish(n) }

// DropNotifications closes every open notification stream of the server, as a network failure
// would, and returns how many there were.
func (s *Server) DropNotifications() int { return s.impl().hub.DropAll() }

// noticeDevice sends device.new to the owner's hooks the first time a client identifier makes
// an authorised request: "A device accesses the owner's server for any reason, which may come
// from background connection testing" (reference §4.3). Player is the device; Account, the
// account whose token it used. The server remembers the devices it has seen across restarts,
// as a PMS keeps them in its database, up to the latest seenDevices.max of them. A server
// without webhooks has no one to tell and remembers none.
func (h *handler) noticeDevice(c *call) {
	if h.cfg.Webhooks == nil {
		return
	}
	id := cmp.Or(c.r.Header.Get("X-Plex-Client-Identifier"), c.query.Get("X-Plex-Client-Identifier"))
	if id == "" || !h.seen.add(id) {
		return
	}
	p := playerFrom(c.r)
	h.hub.Publish(Notification{Webhook: &WebhookEvent{Event: "device.new", AccountID: c.caller.AccountID,
		Player: &WebhookPlayer{Local: p.local, PublicAddress: p.address, Title: cmp.Or(p.title, p.product), UUID: id}}})
}

// maxSeenDevices bounds the devices a server remembers for device.new. Client identifiers are
// the client's to choose, and a test run or a load test makes a new one per client: unbounded,
// the set would grow with every request of such a run. A household has tens of devices, so the
// bound is never reached by real use; past it the device seen first is forgotten, and tells of
// itself again as new if it comes back (a choice: what a PMS prunes is not known).
const maxSeenDevices = 10_000

// seenDevices is the set of client identifiers a server has seen, bounded to the max latest
// first seen (0: unbounded).
type seenDevices struct {
	mu    sync.Mutex
	max   int
	ids   map[string]struct{}
	order []string // first seen first; a ring of max once full
	next  int      // the oldest entry of order once full
}

// add records id and reports whether it is new.
func (d *seenDevices) add(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.ids[id]; ok {
		return false
	}
	if d.ids == nil {
		d.ids = map[string]struct{}{}
	}
	d.ids[id] = struct{}{}
	switch {
	case d.max <= 0:
	case len(d.order) < d.max:
		d.order = append(d.order, id)
	default:
		delete(d.ids, d.order[d.next])
		d.order[d.next] = id
		d.next = (d.next + 1) % d.max
	}
	return true
}

// adminWebhook sends an owner-only event about the server itself (admin.database.backup,
// admin.database.corrupted): the owner's account, no player, no item.
func (h *handler) adminWebhook(event string) {
	if h.cfg.Webhooks == nil {
		return
	}
	h.hub.Publish(Notification{Webhook: &WebhookEvent{Event: event, AccountID: h.cfg.OwnerAccountID}})
}
