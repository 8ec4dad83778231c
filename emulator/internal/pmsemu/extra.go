package pmsemu

import (
	"net/http"
	"strings"

	"github.com/plexkit/plexkit/internal/spec"
)

// extraRoute is a path, or a method on a spec path, that real servers serve and the official
// spec does not list (plex-beyond-spec.md B.1, B.2). Each row has its role, checked in
// ServeHTTP exactly as a spec operation's is, so a shared user meets 401/403 on an admin row
// whatever the path. Name is the key of the handler in handler.ops: a spec operationId when
// the row is another method or path for an operation the spec has, else a name of its own.
type extraRoute struct {
	Method  string    // GET also answers HEAD
	Pattern string    // "{x}" matches one path segment; a trailing slash is significant
	Role    spec.Role // what the caller's token must be
	Name    string
}

// extraRoutes is the hand-kept table beside the generated one: the spec table is tried first,
// then these rows, in order.
var extraRoutes = []extraRoute{
	{"GET", "/library", spec.RoleShared, "x.library"},
	{"GET", "/library/sections", spec.RoleShared, "libraryGetSections"},
	{"GET", "/library/sections/", spec.RoleShared, "libraryGetSections"},
	{"GET", "/library/onDeck", spec.RoleShared, "x.onDeck"},
	{"GET", "/library/recentlyAdded", spec.RoleShared, "x.recentlyAdded"},
	{"GET", "/library/metadata/{id}/children", spec.RoleShared, "x.children"},
	{"GET", "/library/metadata/{id}/grandchildren", spec.RoleShared, "x.grandchildren"},
	{"GET", "/library/metadata/{id}/matches", spec.RoleAdmin, "libraryMetadataGetMatches"},
	{"GET", "/library/metadata/{id}/posters", spec.RoleShared, "x.artwork"},
	{"GET", "/library/metadata/{id}/arts", spec.RoleShared, "x.artwork"},
	{"GET", "/library/sections/all/refresh", spec.RoleAdmin, "libraryPostSectionsRefresh"},
	{"GET", "/library/sections/{id}/refresh", spec.RoleAdmin, "librarySectionPostRefresh"},
	{"POST", "/library/sections/{id}/analyze", spec.RoleAdmin, "librarySectionPutAnalyze"},
	{"GET", "/library/collections/{id}/children", spec.RoleShared, "libraryCollectionCollectionGetItems"},
	{"DELETE", "/library/collections/{id}/items/{item}", spec.RoleAdmin, "libraryCollectionCollectionPutItemsItem"},
	{"GET", "/library/sections/{id}/onDeck", spec.RoleShared, "x.onDeck"},
	{"GET", "/library/sections/{id}/recentlyAdded", spec.RoleShared, "x.recentlyAdded"},
	{"GET", "/library/sections/{id}/firstCharacter", spec.RoleShared, "librarySectionGetFirstCharaters"},
	{"GET", "/library/sections/{id}/timeline", spec.RoleShared, "x.sectionTimeline"},
	{"GET", "/library/sections/{id}/folder", spec.RoleShared, "x.sectionFolders"},
	{"GET", "/library/sections/{id}/recentlyViewed", spec.RoleShared, "x.recentlyViewed"},
	{"GET", "/library/sections/{id}/{filter}", spec.RoleShared, "x.filterChoices"},
	{"GET", "/hubs/continueWatching/items", spec.RoleShared, "x.continueWatching"},
	{"GET", "/hubs/sections/{id}/continueWatching/items", spec.RoleShared, "x.continueWatching"},
	{"GET", "/hubs/home/recentlyAdded", spec.RoleShared, "x.recentlyAdded"},
	{"GET", "/:/scrobble", spec.RoleShared, "putScrobble"},
	{"GET", "/:/unscrobble", spec.RoleShared, "putUnscrobble"},
	{"GET", "/:/rate", spec.RoleShared, "putRate"},
	{"GET", "/search", spec.RoleShared, "x.search"},
	{"GET", "/myplex/account", spec.RoleAdmin, "x.myplexAccount"},
	{"GET", "/accounts", spec.RoleAdmin, "x.accounts"},
	{"GET", "/accounts/{id}", spec.RoleAdmin, "x.accounts"},
	{"GET", "/devices", spec.RoleAdmin, "x.devices"},
	{"GET", "/devices/{id}", spec.RoleAdmin, "x.devices"},
	{"GET", "/clients", spec.RoleShared, "x.clients"},
	{"GET", "/servers", spec.RoleShared, "x.servers"},
	{"GET", "/system/agents", spec.RoleAdmin, "x.agents"},
	{"GET", "/statistics/bandwidth", spec.RoleAdmin, "x.statisticsBandwidth"},
	{"GET", "/statistics/resources", spec.RoleAdmin, "x.statisticsResources"},
	{"GET", "/statistics/media", spec.RoleAdmin, "x.statisticsMedia"},
	// Playback and notifications (plex-live.md §1.1, §2.2): the websocket path every client
	// dials; /:/progress, the owner's only (others get 401); the transcodes of all users.
	{"GET", "/:/websockets/notifications", spec.RoleShared, "websocketGetSlash"},
	{"GET", "/:/progress", spec.RoleAdmin, "x.progress"},
	{"POST", "/:/progress", spec.RoleAdmin, "x.progress"},
	{"PUT", "/:/progress", spec.RoleAdmin, "x.progress"},
	{"GET", "/transcode/sessions", spec.RoleAdmin, "x.transcodeSessions"},
	// Remote control of players through the server (players.go): python-plexapi's
	// PlexClient.sendCommand with proxyThroughServer. Any account may call; the player decides.
	{"GET", "/player/playback/{cmd}", spec.RoleShared, "x.playerPlayback"},
	{"GET", "/player/navigation/{cmd}", spec.RoleShared, "x.playerNoop"},
	{"GET", "/player/mirror/{cmd}", spec.RoleShared, "x.playerNoop"},
	{"GET", "/player/timeline/{cmd}", spec.RoleShared, "x.playerTimeline"},
	// Managed hubs (managedhubs.go): python-plexapi's ManagedHub.move puts the identifier in
	// the path, where the spec has PUT …/manage/move?identifier=.
	{"PUT", "/hubs/sections/{id}/manage/{identifier}/move", spec.RoleAdmin, "hubsSectionsSectionManagePutMove"},
}

// matchExtra finds the row for method and path.
func matchExtra(method, path string) (extraRoute, bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	segs := strings.Split(path, "/")
	for _, r := range extraRoutes {
		if r.Method != method {
			continue
		}
		pat := strings.Split(r.Pattern, "/")
		if len(pat) != len(segs) {
			continue
		}
		ok := true
		for i, p := range pat {
			if strings.HasPrefix(p, "{") {
				ok = segs[i] != ""
			} else {
				ok = p == segs[i]
			}
			if !ok {
				break
			}
		}
		if ok {
			return r, true
		}
	}
	return extraRoute{}, false
}
