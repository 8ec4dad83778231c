package emulator

import (
	"encoding/xml"
	"net"
	"net/http"
	"strconv"
	"time"
)

// userJSON is plex.tv's user object (UserPlexAccount).
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
	Services                []any              `json:"services"`
	Subscriptions           []subscriptionJSON `json:"subscriptions"`
	AdsConsent              *bool              `json:"adsConsent"`
	AdsConsentSetAt         *int64             `json:"adsConsentSetAt"`
	AdsConsentReminderAt    *int64             `json:"adsConsentReminderAt"`
	ExperimentalFeatures    bool               `json:"experimentalFeatures"`
	TwoFactorEnabled        bool               `json:"twoFactorEnabled"`
	BackupCodesCreated      bool               `json:"backupCodesCreated"`
}

type subscriptionJSON struct {
	Active         bool     `json:"active"`
	SubscribedAt   *string  `json:"subscribedAt"`
	Status         string   `json:"status"`
	PaymentService *string  `json:"paymentService"`
	Plan           *string  `json:"plan"`
	Features       []string `json:"features"`
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

// userXML is the XML form of the user object: the scalar fields as attributes, as plex.tv
// answers without Accept: application/json.
type userXML struct {
	XMLName      xml.Name `xml:"user"`
	ID           int      `xml:"id,attr"`
	UUID         string   `xml:"uuid,attr"`
	Username     string   `xml:"username,attr"`
	Title        string   `xml:"title,attr"`
	Email        string   `xml:"email,attr"`
	FriendlyName string   `xml:"friendlyName,attr"`
	Thumb        string   `xml:"thumb,attr"`
	AuthToken    string   `xml:"authToken,attr"`
	JoinedAt     int64    `xml:"joinedAt,attr"`
	HasPassword  xmlBool  `xml:"hasPassword,attr"`
	Restricted   xmlBool  `xml:"restricted,attr"`
	Home         xmlBool  `xml:"home,attr"`
	HomeAdmin    xmlBool  `xml:"homeAdmin,attr"`
	HomeSize     int      `xml:"homeSize,attr"`
	Subscription struct {
		Active xmlBool `xml:"active,attr"`
		Status string  `xml:"status,attr"`
	} `xml:"subscription"`
}

// plexPassFeatures are the features of the owner's (emulated) Plex Pass.
var plexPassFeatures = []string{"hardware_transcoding", "home", "livetv", "lyrics", "music-analysis", "pass", "sync", "webhooks"}

// userObject builds the user object for a; token is echoed as authToken.
func (e *Emulator) userObject(a *account, token string, now time.Time) userJSON {
	sub := subscriptionJSON{Status: "Inactive", Features: []string{}}
	if a.kind == "owner" {
		since, plan, pay := isoTime(a.joinedAt.AddDate(0, 1, 0)), "lifetime", "braintree"
		sub = subscriptionJSON{Active: true, SubscribedAt: &since, Status: "Active", Plan: &plan,
			PaymentService: &pay, Features: plexPassFeatures}
	}
	homeSize := 1
	if a.home {
		homeSize = 0
		for _, o := range e.accounts {
			if o.home {
				homeSize++
			}
		}
	}
	locale := "en"
	return userJSON{
		ID: a.id, UUID: a.uuid, Username: a.username, Title: a.title(), Email: a.email,
		FriendlyName: a.friendlyName, Locale: &locale, Confirmed: true, JoinedAt: a.joinedAt.Unix(),
		HasPassword: a.password != "", Thumb: a.thumb(), AuthToken: token,
		MailingListStatus: "unsubscribed", Country: "US", Subscription: sub,
		Restricted: a.restricted, Home: a.home, HomeSize: homeSize, HomeAdmin: a.homeAdmin,
		MaxHomeSize: 15, RememberExpiresAt: now.Add(14 * 24 * time.Hour).Unix(),
		Profile:       profileJSON{AutoSelectAudio: true, AutoSelectSubtitle: 1, WatchedIndicator: 1},
		Entitlements:  []string{},
		Roles:         []string{},
		Services:      []any{},
		Subscriptions: []subscriptionJSON{sub},
	}
}

// user serves GET /api/v2/user for a legacy token or a Plex JWT.
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
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, u)
		return
	}
	x := userXML{ID: u.ID, UUID: u.UUID, Username: u.Username, Title: u.Title, Email: u.Email,
		FriendlyName: u.FriendlyName, Thumb: u.Thumb, AuthToken: u.AuthToken, JoinedAt: u.JoinedAt,
		HasPassword: xmlBool(u.HasPassword), Restricted: xmlBool(u.Restricted), Home: xmlBool(u.Home),
		HomeAdmin: xmlBool(u.HomeAdmin), HomeSize: u.HomeSize}
	x.Subscription.Active, x.Subscription.Status = xmlBool(u.Subscription.Active), u.Subscription.Status
	writeXML(w, http.StatusOK, x)
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
// includeRelay=1, as plex.tv does. JSON only.
func (e *Emulator) resources(w http.ResponseWriter, r *http.Request) {
	if clientID(r) == "" {
		writeClientIDMissing(w, r)
		return
	}
	q := r.URL.Query()
	includeHTTPS, includeRelay := q.Get("includeHttps") == "1", q.Get("includeRelay") == "1"
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
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
	writeJSON(w, http.StatusOK, out)
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
