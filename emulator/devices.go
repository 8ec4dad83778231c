package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CodeDeviceTaken is the emulator's code (invented: Plex's is unknown) for a client identifier
// whose JWK is registered to another account.
const CodeDeviceTaken = 1094

// recordKey names an entry of an account's Authorized Devices: the same client identifier may
// be signed in to several accounts (one browser, two people), each with its own entry.
type recordKey struct {
	acct int
	cid  string
}

// deviceRecord is an entry of an account's Authorized Devices (GET /devices.xml): a client that
// got a token for the account by PIN, sign-in, Home switch or JWK registration.
type deviceRecord struct {
	id       int
	acct     *account
	clientID string
	// What the client said about itself in its X-Plex-* headers.
	name, product, productVersion, platform, platformVersion, device, model, vendor, provides string
	token                                                                                     string // the latest legacy token issued to the device, "" for a JWT device
	created                                                                                   time.Time
	lastSeen                                                                                  time.Time
}

// touchDevice records (or refreshes) cid as a device of a, from r's X-Plex-* headers; a
// non-empty token becomes the device's token. The caller holds e.mu.
func (e *Emulator) touchDevice(a *account, cid string, r *http.Request, now time.Time, token string) {
	k := recordKey{a.id, cid}
	d := e.tv.records[k]
	if d == nil {
		d = &deviceRecord{id: e.tv.nextDevID, acct: a, clientID: cid, created: now}
		e.tv.nextDevID++
		e.tv.records[k] = d
	}
	d.lastSeen = now
	if token != "" {
		d.token = token
	}
	for _, f := range []struct {
		dst    *string
		header string
	}{
		{&d.name, "X-Plex-Device-Name"}, {&d.product, "X-Plex-Product"}, {&d.productVersion, "X-Plex-Version"},
		{&d.platform, "X-Plex-Platform"}, {&d.platformVersion, "X-Plex-Platform-Version"},
		{&d.device, "X-Plex-Device"}, {&d.model, "X-Plex-Model"}, {&d.vendor, "X-Plex-Device-Vendor"},
		{&d.provides, "X-Plex-Provides"},
	} {
		if v := header(r, f.header); v != "" {
			*f.dst = v
		}
	}
}

// seen marks the device behind a token as seen now. The caller holds e.mu.
func (e *Emulator) seen(id identity, now time.Time) {
	if d := e.tv.records[recordKey{id.acct.id, id.clientID}]; d != nil {
		d.lastSeen = now
	}
}

// deviceTaken reports whether cid's JWK is registered to an account other than a: a device
// belongs to one account, so another account may not replace its key (which would kill the
// owner's Plex JWTs). The caller holds e.mu.
func (e *Emulator) deviceTaken(cid string, a *account) bool {
	d := e.devices[cid]
	return d != nil && d.acct != a
}

func writeDeviceTaken(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusUnprocessableEntity, CodeDeviceTaken,
		"Client identifier already registered: this device (X-Plex-Client-Identifier) belongs to another account; it must be removed from that account's Authorized Devices first")
}

// revokeClient removes cid from a's Authorized Devices (every account's when a is nil): its
// JWK (if registered for that account), the Plex JWTs issued to it and the legacy tokens it got.
// The caller holds e.mu.
func (e *Emulator) revokeClient(a *account, cid string) {
	if d := e.devices[cid]; d != nil && (a == nil || d.acct == a) {
		delete(e.thumbprints, d.thumb)
		delete(e.devices, cid)
		e.revoked[cid] = true
	}
	if a == nil {
		e.revoked[cid] = true
	}
	for tok, l := range e.legacy {
		if cid != "" && l.clientID == cid && (a == nil || l.acct == a) {
			delete(e.legacy, tok)
		}
	}
	for k := range e.tv.records {
		if k.cid == cid && (a == nil || k.acct == a.id) {
			delete(e.tv.records, k)
		}
	}
}

// serverDeviceID is the device id of a seeded server in its owner's /devices.xml.
func (e *Emulator) serverDeviceID(s *server) int {
	return 1001 + slices.Index(e.servers, s)
}

// devicesXML serves GET /devices.xml: the account's servers (with their connections and access
// tokens) and the clients that hold its tokens, as plex.tv's legacy XML. createdAt and
// lastSeenAt are unix seconds.
func (e *Emulator) devicesXML(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	root := el("MediaContainer", "publicAddress", "127.0.0.1")
	for _, s := range e.servers {
		if s.owner != id.acct {
			continue
		}
		n := el("Device", "name", s.name, "publicAddress", "127.0.0.1", "product", "Plex Media Server",
			"productVersion", serverVersion, "platform", "Linux", "platformVersion", "6.1.0",
			"device", "Docker Container", "model", "x86_64", "vendor", "Docker", "provides", "server",
			"clientIdentifier", s.machineID, "version", serverVersion, "id", e.serverDeviceID(s),
			"token", s.ownerToken, "createdAt", s.owner.joinedAt.AddDate(0, 2, 0).Unix(), "lastSeenAt", now.Unix(),
			"screenResolution", "", "screenDensity", "")
		for _, c := range s.connections(true, true) {
			n.add(el("Connection", "uri", c.URI))
		}
		root.add(n)
	}
	var recs []*deviceRecord
	for k, d := range e.tv.records {
		if k.acct == id.acct.id {
			recs = append(recs, d)
		}
	}
	slices.SortFunc(recs, func(a, b *deviceRecord) int { return cmp.Compare(a.id, b.id) })
	for _, d := range recs {
		root.add(el("Device", "name", d.name, "publicAddress", "127.0.0.1", "product", d.product,
			"productVersion", d.productVersion, "platform", d.platform, "platformVersion", d.platformVersion,
			"device", d.device, "model", d.model, "vendor", d.vendor, "provides", d.provides,
			"clientIdentifier", d.clientID, "version", d.productVersion, "id", d.id, "token", d.token,
			"createdAt", d.created.Unix(), "lastSeenAt", d.lastSeen.Unix(), "screenResolution", "",
			"screenDensity", ""))
	}
	root.set("size", len(root.kids))
	e.mu.Unlock()
	replyNode(w, r, http.StatusOK, root)
}

// deviceByID finds the caller's device record with the id in the path ("{id}.xml"), or
// answers 404. The caller holds e.mu.
func (e *Emulator) deviceByID(w http.ResponseWriter, r *http.Request, a *account) *deviceRecord {
	id, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("file"), ".xml"))
	if err == nil {
		for k, d := range e.tv.records {
			if k.acct == a.id && d.id == id {
				return d
			}
		}
		for _, s := range e.servers {
			if s.owner == a && e.serverDeviceID(s) == id {
				writeLegacyError(w, r, http.StatusUnprocessableEntity,
					"A server cannot be changed or removed here: sign the server out of the account in its settings")
				return nil
			}
		}
	}
	writeLegacyError(w, r, http.StatusNotFound, "No such device")
	return nil
}

// deleteDevice serves DELETE /devices/{id}.xml: the device leaves the account's Authorized
// Devices, exactly as RevokeDevice does for that account: its Plex JWTs are refused, it can no
// longer refresh (1097 at /api/v2/auth/token), and its legacy tokens stop working.
func (e *Emulator) deleteDevice(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	d := e.deviceByID(w, r, id.acct)
	if d == nil {
		return
	}
	e.revokeClient(id.acct, d.clientID)
	w.WriteHeader(http.StatusOK)
}

// renameDevice serves PUT /devices/{id}.xml?name=NEW. No studied client uses it and plex.tv's
// answer is unknown; the emulator renames the device and answers 200.
func (e *Emulator) renameDevice(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeLegacyError(w, r, http.StatusBadRequest, "form body cannot be parsed")
		return
	}
	name := strings.TrimSpace(r.Form.Get("name"))
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	if name == "" {
		writeLegacyError(w, r, http.StatusBadRequest, "name is required")
		return
	}
	d := e.deviceByID(w, r, id.acct)
	if d == nil {
		return
	}
	d.name = name
	w.WriteHeader(http.StatusOK)
}
