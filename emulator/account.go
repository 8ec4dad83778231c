package emulator

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// userJSON is plex.tv's user object (UserPlexAccount), as GET /api/v2/user and the v2 sign-in
// answer it in JSON. userXML renders the same value as XML.
type userJSON struct {
	ID                      int                `json:"id"`
	UUID                    string             `json:"uuid"`
	Username                string             `json:"username"`
	Title                   string             `json:"title"`
	Email                   string             `json:"email"`
	FriendlyName            string             `json:"friendlyName"`
	Locale                  *string            `json:"locale"`
	Confirmed               bool               `json:"confirmed"`
	JoinedAt                int64              `json:"joinedAt"`
	EmailOnlyAuth           bool               `json:"emailOnlyAuth"`
	HasPassword             bool               `json:"hasPassword"`
	Protected               bool               `json:"protected"`
	Thumb                   string             `json:"thumb"`
	AuthToken               string             `json:"authToken"`
	MailingListStatus       string             `json:"mailingListStatus"`
	MailingListActive       bool               `json:"mailingListActive"`
	ScrobbleTypes           string             `json:"scrobbleTypes"`
	Country                 string             `json:"country"`
	Pin                     *string            `json:"pin,omitempty"`
	Subscription            subscriptionJSON   `json:"subscription"`
	SubscriptionDescription *string            `json:"subscriptionDescription"`
	Restricted              bool               `json:"restricted"`
	Anonymous               *bool              `json:"anonymous"`
	Home                    bool               `json:"home"`
	Guest                   bool               `json:"guest"`
	HomeSize                int                `json:"homeSize"`
	HomeAdmin               bool               `json:"homeAdmin"`
	MaxHomeSize             int                `json:"maxHomeSize"`
	RememberExpiresAt       int64              `json:"rememberExpiresAt"`
	Profile                 profileJSON        `json:"profile"`
	Entitlements            []string           `json:"entitlements"`
	Roles                   []string           `json:"roles"`
	Services                []serviceJSON      `json:"services"`
	Subscriptions           []subscriptionJSON `json:"subscriptions"`
	AdsConsent              *bool              `json:"adsConsent"`
	AdsConsentSetAt         *int64             `json:"adsConsentSetAt"`
	AdsConsentReminderAt    *int64             `json:"adsConsentReminderAt"`
	ExperimentalFeatures    bool               `json:"experimentalFeatures"`
	TwoFactorEnabled        bool               `json:"twoFactorEnabled"`
	BackupCodesCreated      bool               `json:"backupCodesCreated"`
	AttributionPartner      *string            `json:"attributionPartner"`
	QueueEmail              string             `json:"queueEmail"`
	QueueUID                string             `json:"queueUid"`
	CertificateVersion      int                `json:"certificateVersion"`
	// Only in the sign-in answer.
	PastSubscriptions *[]subscriptionJSON `json:"pastSubscriptions,omitempty"`
	Trials            *[]any              `json:"trials,omitempty"`
}

type subscriptionJSON struct {
	Active         bool     `json:"active"`
	SubscribedAt   *string  `json:"subscribedAt"`
	Status         string   `json:"status"`
	PaymentService *string  `json:"paymentService"`
	Plan           *string  `json:"plan"`
	Features       []string `json:"features"`
	subscribedAt   time.Time
}

type profileJSON struct {
	AutoSelectAudio              bool    `json:"autoSelectAudio"`
	DefaultAudioLanguage         *string `json:"defaultAudioLanguage"`
	DefaultSubtitleLanguage      *string `json:"defaultSubtitleLanguage"`
	AutoSelectSubtitle           int     `json:"autoSelectSubtitle"`
	DefaultSubtitleAccessibility int     `json:"defaultSubtitleAccessibility"`
	DefaultSubtitleForced        int     `json:"defaultSubtitleForced"`
	WatchedIndicator             int     `json:"watchedIndicator"`
	MediaReviewsVisibility       int     `json:"mediaReviewsVisibility"`
}

type serviceJSON struct {
	Identifier string  `json:"identifier"`
	Endpoint   string  `json:"endpoint"`
	Token      *string `json:"token"`
	Secret     *string `json:"secret"`
	Status     string  `json:"status"`
}

// plexPassFeatures are the features of the owner's (emulated) Plex Pass; python-plexapi's live
// tests expect sync and premium_music_metadata among them.
var plexPassFeatures = []string{"hardware_transcoding", "home", "livetv", "lyrics", "music-analysis", "pass",
	"premium_music_metadata", "sync", "webhooks"}

// plexPassEntitlements are the apps a Plex Pass unlocks (python-plexapi's live tests expect these).
var plexPassEntitlements = []string{"all", "android", "ios", "roku", "windows", "windows_phone", "xbox_360", "xbox_one"}

// accountServices are the provider services every account lists.
var accountServices = []serviceJSON{
	{Identifier: "metadata", Endpoint: "https://metadata.provider.plex.tv", Status: "online"},
	{Identifier: "discover", Endpoint: "https://discover.provider.plex.tv", Status: "online"},
}

// plexPass reports whether a has an active Plex Pass: the owner of servers does.
func (a *account) plexPass() bool { return a.kind == "owner" }

// userObject builds the user object for a; token is echoed as authToken. Its claims agree with
// the Plex JWTs issued to a: id, uuid, username, email, friendlyName, restricted, joinedAt. The
// caller holds e.mu.
func (e *Emulator) userObject(a *account, token string, now time.Time) userJSON {
	sub := subscriptionJSON{Status: "Inactive", Features: []string{}}
	entitlements, roles := []string{}, []string{}
	if a.plexPass() {
		since := a.joinedAt.AddDate(0, 1, 0).UTC().Truncate(24 * time.Hour)
		iso, plan, pay := isoTime(since), "lifetime", "braintree"
		sub = subscriptionJSON{Active: true, SubscribedAt: &iso, Status: "Active", Plan: &plan,
			PaymentService: &pay, Features: plexPassFeatures, subscribedAt: since}
		entitlements, roles = plexPassEntitlements, []string{"plexpass"}
	}
	homeSize := 1
	if a.home {
		homeSize = len(e.homeMembers())
	}
	locale, anonymous := "en", false
	u := userJSON{
		ID: a.id, UUID: a.uuid, Username: a.username, Title: a.title(), Email: a.email,
		FriendlyName: a.friendlyName, Locale: &locale, Confirmed: true, JoinedAt: a.joinedAt.Unix(),
		HasPassword: a.password != "", Protected: e.tv.homePins[a.id] != "", Thumb: a.thumb(), AuthToken: token,
		MailingListStatus: "unsubscribed", Country: "US", Subscription: sub,
		Restricted: a.restricted, Anonymous: &anonymous, Home: a.home, HomeSize: homeSize, HomeAdmin: a.homeAdmin,
		MaxHomeSize: 15, RememberExpiresAt: now.Add(14 * 24 * time.Hour).Unix(),
		Profile: profileJSON{AutoSelectAudio: true, DefaultAudioLanguage: &locale, DefaultSubtitleLanguage: &locale,
			AutoSelectSubtitle: 1, WatchedIndicator: 1},
		Entitlements:       entitlements,
		Roles:              roles,
		Services:           accountServices,
		Subscriptions:      []subscriptionJSON{sub},
		TwoFactorEnabled:   e.tv.twoFactor[a.id] != "",
		BackupCodesCreated: e.tv.twoFactor[a.id] != "",
		QueueEmail:         "queue+" + a.uuid + "@save.plex.tv",
		QueueUID:           a.uuid,
		CertificateVersion: 2,
	}
	if p := e.tv.homePins[a.id]; p != "" {
		h := hashPin(p)
		u.Pin = &h
	}
	return u
}

// userXML renders u as plex.tv's XML <user> (python-plexapi's account source): every scalar as
// an attribute, booleans "1"/"0", and the subscription (with its features), profile,
// entitlements, roles, subscriptions and services as children. python-plexapi needs
// scrobbleTypes, <subscription> and <profile>; without them MyPlexAccount crashes.
func userXML(u userJSON) *xnode {
	n := el("user", "id", u.ID, "uuid", u.UUID, "username", u.Username, "title", u.Title, "email", u.Email,
		"friendlyName", u.FriendlyName, "locale", u.Locale, "confirmed", u.Confirmed, "joinedAt", u.JoinedAt,
		"emailOnlyAuth", u.EmailOnlyAuth, "hasPassword", u.HasPassword, "protected", u.Protected,
		"thumb", u.Thumb, "authToken", u.AuthToken, "mailingListStatus", u.MailingListStatus,
		"mailingListActive", u.MailingListActive, "scrobbleTypes", u.ScrobbleTypes, "country", u.Country,
		"pin", u.Pin, "subscriptionDescription", "", "restricted", u.Restricted, "anonymous", "",
		"home", u.Home, "guest", u.Guest, "homeSize", u.HomeSize, "homeAdmin", u.HomeAdmin,
		"maxHomeSize", u.MaxHomeSize, "rememberExpiresAt", u.RememberExpiresAt, "adsConsent", "",
		"adsConsentSetAt", "", "adsConsentReminderAt", "", "experimentalFeatures", u.ExperimentalFeatures,
		"twoFactorEnabled", u.TwoFactorEnabled, "backupCodesCreated", u.BackupCodesCreated)
	p := u.Profile
	services := el("services")
	for _, s := range u.Services {
		services.add(el("service", "identifier", s.Identifier, "endpoint", s.Endpoint, "status", s.Status))
	}
	return n.add(
		subscriptionXML("subscription", u.Subscription),
		el("profile", "autoSelectAudio", p.AutoSelectAudio, "defaultAudioLanguage", p.DefaultAudioLanguage,
			"defaultSubtitleLanguage", p.DefaultSubtitleLanguage, "autoSelectSubtitle", p.AutoSelectSubtitle,
			"defaultSubtitleAccessibility", p.DefaultSubtitleAccessibility,
			"defaultSubtitleForced", p.DefaultSubtitleForced, "watchedIndicator", p.WatchedIndicator,
			"mediaReviewsVisibility", p.MediaReviewsVisibility),
		list("entitlements", "entitlement", u.Entitlements),
		list("roles", "role", u.Roles),
		el("subscriptions").add(subscriptionXML("subscription", u.Subscription)),
		services,
	)
}

// subscriptionXML is <subscription …><features><feature id/>…</features></subscription>, with
// subscribedAt in the "2006-01-02 15:04:05 UTC" form python-plexapi parses.
func subscriptionXML(name string, s subscriptionJSON) *xnode {
	at := ""
	if !s.subscribedAt.IsZero() {
		at = s.subscribedAt.UTC().Format("2006-01-02 15:04:05") + " UTC"
	}
	return el(name, "active", s.Active, "subscribedAt", at, "status", s.Status,
		"paymentService", strOr(s.PaymentService), "plan", strOr(s.Plan)).add(list("features", "feature", s.Features))
}

func strOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// user serves GET /api/v2/user for a legacy token, a Plex JWT or an owned server's access token.
func (e *Emulator) user(w http.ResponseWriter, r *http.Request) {
	if clientID(r) == "" {
		writeClientIDMissing(w, r)
		return
	}
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	var u userJSON
	if ok {
		u = e.userObject(id.acct, plexToken(r), now)
	}
	e.mu.Unlock()
	if !ok {
		return
	}
	reply(w, r, http.StatusOK, u, func() *xnode { return userXML(u) })
}

// resourceJSON is plex.tv's resource object (PlexDevice).
type resourceJSON struct {
	Name                   string           `json:"name"`
	Product                string           `json:"product"`
	ProductVersion         string           `json:"productVersion"`
	Platform               string           `json:"platform"`
	PlatformVersion        string           `json:"platformVersion"`
	Device                 string           `json:"device"`
	ClientIdentifier       string           `json:"clientIdentifier"`
	CreatedAt              string           `json:"createdAt"`
	LastSeenAt             string           `json:"lastSeenAt"`
	Provides               string           `json:"provides"`
	OwnerID                *int             `json:"ownerId"`
	SourceTitle            *string          `json:"sourceTitle"`
	PublicAddress          string           `json:"publicAddress"`
	AccessToken            string           `json:"accessToken"`
	Owned                  bool             `json:"owned"`
	Home                   bool             `json:"home"`
	Synced                 bool             `json:"synced"`
	Relay                  bool             `json:"relay"`
	Presence               bool             `json:"presence"`
	HTTPSRequired          bool             `json:"httpsRequired"`
	PublicAddressMatches   bool             `json:"publicAddressMatches"`
	DNSRebindingProtection bool             `json:"dnsRebindingProtection"`
	NATLoopbackSupported   bool             `json:"natLoopbackSupported"`
	SearchEnabled          bool             `json:"searchEnabled"`
	Connections            []connectionJSON `json:"connections"`
}

type connectionJSON struct {
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	URI      string `json:"uri"`
	Local    bool   `json:"local"`
	Relay    bool   `json:"relay"`
	IPv6     bool   `json:"IPv6"`
}

// resources serves GET /api/v2/resources: the servers the account owns or has been shared,
// each with the access token this account must use on it. Connections list the live one and
// the dead ones; https connections only with includeHttps=1 and relays only with
// includeRelay=1, as plex.tv does. XML is <resources><resource …><connections><connection …/>.
func (e *Emulator) resources(w http.ResponseWriter, r *http.Request) {
	out, ok := e.resourceList(w, r)
	if !ok {
		return
	}
	reply(w, r, http.StatusOK, out, func() *xnode {
		root := el("resources", "size", len(out))
		for _, res := range out {
			n := el("resource", "name", res.Name, "product", res.Product, "productVersion", res.ProductVersion,
				"platform", res.Platform, "platformVersion", res.PlatformVersion, "device", res.Device,
				"clientIdentifier", res.ClientIdentifier, "createdAt", res.CreatedAt, "lastSeenAt", res.LastSeenAt,
				"provides", res.Provides, "ownerId", intOrNil(res.OwnerID), "sourceTitle", res.SourceTitle,
				"publicAddress", res.PublicAddress, "accessToken", res.AccessToken, "owned", res.Owned,
				"home", res.Home, "synced", res.Synced, "relay", res.Relay, "presence", res.Presence,
				"httpsRequired", res.HTTPSRequired, "publicAddressMatches", res.PublicAddressMatches,
				"dnsRebindingProtection", res.DNSRebindingProtection, "natLoopbackSupported", res.NATLoopbackSupported,
				"searchEnabled", res.SearchEnabled)
			conns := el("connections")
			for _, c := range res.Connections {
				conns.add(el("connection", "protocol", c.Protocol, "address", c.Address, "port", c.Port,
					"uri", c.URI, "local", c.Local, "relay", c.Relay, "IPv6", c.IPv6))
			}
			root.add(n.add(conns))
		}
		return root
	})
}

// legacyResources serves GET /api/resources: the same servers as a legacy XML Device list,
// with createdAt and lastSeenAt in unix seconds (Overseerr multiplies them by 1000). The
// owner-id attribute is spelled ownerID, like PMS's other ids; its real spelling is unconfirmed.
func (e *Emulator) legacyResources(w http.ResponseWriter, r *http.Request) {
	out, ok := e.resourceList(w, r)
	if !ok {
		return
	}
	root := el("MediaContainer", "size", len(out))
	for _, res := range out {
		n := el("Device", "name", res.Name, "product", res.Product, "productVersion", res.ProductVersion,
			"platform", res.Platform, "platformVersion", res.PlatformVersion, "device", res.Device,
			"clientIdentifier", res.ClientIdentifier, "createdAt", unixOf(res.CreatedAt),
			"lastSeenAt", unixOf(res.LastSeenAt), "provides", res.Provides, "owned", res.Owned,
			"accessToken", res.AccessToken, "publicAddress", res.PublicAddress, "httpsRequired", res.HTTPSRequired,
			"synced", res.Synced, "relay", res.Relay, "dnsRebindingProtection", res.DNSRebindingProtection,
			"natLoopbackSupported", res.NATLoopbackSupported, "publicAddressMatches", res.PublicAddressMatches,
			"presence", res.Presence, "ownerID", intOrEmpty(res.OwnerID), "home", res.Home,
			"sourceTitle", strOr(res.SourceTitle))
		for _, c := range res.Connections {
			n.add(el("Connection", "protocol", c.Protocol, "address", c.Address, "port", c.Port, "uri", c.URI, "local", c.Local))
		}
		root.add(n)
	}
	replyNode(w, r, http.StatusOK, root)
}

// intOrNil leaves an absent owner out: python-plexapi reads a missing ownerId as 0 (owned).
func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func intOrEmpty(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func unixOf(iso string) int64 {
	t, err := time.Parse(time.RFC3339, iso)
	if err != nil {
		return 0
	}
	return t.Unix()
}

// resourceList authenticates r and lists the account's servers, or answers the error.
func (e *Emulator) resourceList(w http.ResponseWriter, r *http.Request) ([]resourceJSON, bool) {
	if clientID(r) == "" {
		writeClientIDMissing(w, r)
		return nil, false
	}
	q := r.URL.Query()
	includeHTTPS, includeRelay := q.Get("includeHttps") == "1", q.Get("includeRelay") == "1"
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return nil, false
	}
	out := []resourceJSON{}
	for _, s := range e.servers {
		res := resourceJSON{
			Name: s.name, Product: "Plex Media Server", ProductVersion: serverVersion,
			Platform: "Linux", PlatformVersion: "6.1.0", Device: "Docker Container",
			ClientIdentifier: s.machineID, CreatedAt: isoTime(s.owner.joinedAt.AddDate(0, 2, 0)),
			LastSeenAt: isoTime(now), Provides: "server", PublicAddress: "127.0.0.1",
			Relay: true, Presence: s.url != "", PublicAddressMatches: true, SearchEnabled: true,
			NATLoopbackSupported: true, Connections: s.connections(includeHTTPS, includeRelay),
		}
		if s.owner == id.acct {
			res.Owned, res.AccessToken, res.Home = true, s.ownerToken, id.acct.home
		} else if sh := s.shares[id.acct.id]; sh != nil {
			owner, title := s.owner.id, s.owner.username
			res.OwnerID, res.SourceTitle, res.AccessToken, res.Home = &owner, &title, sh.token, sh.managed
		} else {
			continue
		}
		out = append(out, res)
	}
	return out, true
}

// connections lists how to reach s: the dead "local" connection first, so a client that tries
// connections one by one in list order hangs and one that races them does not, then the live
// local one, the live remote one (http, on another port of the same server), then the dead
// remote (https) and relay ones.
func (s *server) connections(includeHTTPS, includeRelay bool) []connectionJSON {
	out := []connectionJSON{}
	add := func(protocol, hostPort string, local, relay bool) {
		host, portText, err := net.SplitHostPort(hostPort)
		if err != nil {
			return
		}
		port, _ := strconv.Atoi(portText)
		out = append(out, connectionJSON{Protocol: protocol, Address: host, Port: port,
			URI: protocol + "://" + hostPort, Local: local, Relay: relay})
	}
	for _, d := range s.dead {
		if d.kind == deadLocal {
			add("http", d.addr, true, false)
		}
	}
	if s.url != "" {
		add("http", s.url[len("http://"):], true, false)
		add("http", s.remoteURL[len("http://"):], false, false)
	}
	for _, d := range s.dead {
		switch {
		case d.kind == deadRemote && includeHTTPS:
			add("https", d.addr, false, false)
		case d.kind == deadRelay && includeRelay:
			add("https", d.addr, false, true)
		}
	}
	return out
}
