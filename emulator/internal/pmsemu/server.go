package pmsemu

import (
	"net"
	"net/http"
	"strconv"
)

// APIVersion is the PMS API version the emulator reports (that of the official spec it follows).
const APIVersion = "1.2.2"

// identity serves GET /identity, the one operation that needs no token.
func (h *handler) identity(c *call) {
	list{head: identityContainer{
		APIVersion:        APIVersion,
		Claimed:           h.cfg.OwnerAccountID != 0,
		MachineIdentifier: h.cfg.MachineIdentifier,
		Version:           h.cfg.Version,
	}}.write(c.w, c.json)
}

// topLevel is the Directory list of GET /: the server's top-level endpoints, those a PMS
// 1.41 lists (plex-beyond-spec B.7).
var topLevel = []string{
	"actions", "activities", "butler", "channels", "clients", "devices", "diagnostics",
	"downloadQueue", "hubs", "library", "livetv", "media", "neighborhood", "playQueues",
	"playlists", "resources", "search", "server", "servers", "service", "statistics", "system",
	"transcode", "updater", "user", "video",
}

// root serves GET /: the server's capabilities.
func (h *handler) root(c *call) {
	owner := h.store.Account(OwnerLocalID)
	username := owner.Email
	if username == "" {
		username = owner.Username
	}
	name := h.friendlyName()
	claimed := xbool(h.cfg.OwnerAccountID != 0)
	signin, mapping := "ok", "mapped"
	if !claimed {
		signin, mapping = "none", "unknown"
	}
	head := rootContainer{
		Size:                       len(topLevel),
		AllowCameraUpload:          true,
		AllowChannelAccess:         true,
		AllowMediaDeletion:         xbool(h.admin.pref("allowMediaDeletion") == "1"),
		AllowSharing:               claimed,
		AllowSync:                  true,
		BackgroundProcessing:       true,
		Certificate:                true,
		CompanionProxy:             true,
		CountryCode:                "usa",
		Diagnostics:                "logs,databases,streaminglogs",
		EventStream:                true,
		FriendlyName:               name,
		HubSearch:                  true,
		ItemClusters:               true,
		MachineIdentifier:          h.cfg.MachineIdentifier,
		MediaProviders:             true,
		Multiuser:                  true,
		MusicAnalysis:              2,
		MyPlex:                     claimed,
		MyPlexMappingState:         mapping,
		MyPlexSigninState:          signin,
		MyPlexUsername:             username,
		MyPlexSubscription:         xbool(owner.PlexPass),
		APIVersion:                 APIVersion,
		Livetv:                     7,
		PhotoAutoTag:               true,
		RequestParametersInCookie:  true,
		OfflineTranscode:           1,
		OwnerFeatures:              ownerFeatures,
		Platform:                   "Linux",
		PlatformVersion:            "6.1.0",
		PluginHost:                 true,
		PushNotifications:          true,
		StreamingBrainABRVersion:   3,
		StreamingBrainVersion:      2,
		Sync:                       true,
		TranscoderAudio:            true,
		TranscoderLyrics:           true,
		TranscoderPhoto:            true,
		TranscoderSubtitles:        true,
		TranscoderVideo:            true,
		TranscoderVideoBitrates:    "64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000",
		TranscoderVideoQualities:   "0,1,2,3,4,5,6,7,8,9,10,11,12",
		TranscoderVideoResolutions: "128,128,160,240,320,480,768,720,720,1080,1080,1080,1080",
		UpdatedAt:                  addedBase,
		Updater:                    true,
		Version:                    h.cfg.Version,
	}
	list{head: head, childKey: "Directory", n: len(topLevel), child: func(i int) any {
		return directory{Count: 1, Key: topLevel[i], Title: topLevel[i]}
	}}.write(c.w, c.json)
}

// securityToken serves POST (or any verb) /security/token?type=delegation&scope=all: a
// transient token with the caller's access.
func (h *handler) securityToken(c *call) {
	if c.query.Get("type") != "delegation" || c.query.Get("scope") != "all" {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	list{head: tokenContainer{Token: h.mint(c.caller)}}.write(c.w, c.json)
}

// securityResources serves GET /security/resources?source=server://<machineIdentifier>: how to
// reach this server, with a transient token. Its description in the spec requires an admin token
// (or a transient token an admin minted); a shared user is refused with 403, the status the spec
// lists. Only this server is known, so any other source is a bad request.
func (h *handler) securityResources(c *call) {
	if c.query.Get("source") != "server://"+h.cfg.MachineIdentifier {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	if c.caller.Role != RoleAdmin {
		writeError(c.w, http.StatusForbidden)
		return
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	host, portText, err := net.SplitHostPort(c.r.Host)
	if err != nil {
		host, portText = c.r.Host, "80"
		if c.r.TLS != nil {
			portText = "443"
		}
	}
	port, _ := strconv.Atoi(portText)
	name := h.friendlyName()
	list{head: resourcesContainer{Size: 1, Device: device{
		Name:             name,
		ClientIdentifier: h.cfg.MachineIdentifier,
		AccessToken:      h.mint(c.caller),
		Connection: []connection{{
			Protocol: scheme, Address: host, URI: scheme + "://" + c.r.Host, Port: port, Local: true,
		}},
	}}}.write(c.w, c.json)
}
