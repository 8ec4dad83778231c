package pmsemu

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// ops is the server's administrative state: preferences, butler tasks and activities, and the
// handlers of the operations that read and change them. It has its own lock, so a long section
// page never waits for a preference change or the other way round.
type ops struct {
	h *handler

	mu         sync.Mutex
	prefs      map[string]string // values set by clients, by preference id; defaults otherwise
	butler     map[string]*activity
	activities []*activity // running, oldest first
	checkedAt  int64       // last update check, Unix seconds
}

// registerOps adds the handlers of the server's administrative operations (preferences, butler,
// activities, section scans, updater, log) and of its lists (playlists, play queues,
// collections) to h's operation table.
func registerOps(h *handler) {
	o := &ops{h: h, prefs: map[string]string{}, butler: map[string]*activity{}}
	h.live.tickers = append(h.live.tickers, o.announce) // activity progress on the notification streams
	l := newLists(h)
	h.lists, h.admin = l, o
	for id, fn := range map[string]func(*call){
		"preferencesGetSlash":      o.prefsList,
		"preferencesGetGet":        o.prefsGet,
		"preferencesPutSlash":      o.prefsSet,
		"butlerGetSlash":           o.butlerList,
		"butlerPostSlash":          o.butlerStartAll,
		"butlerDeleteSlash":        o.butlerStopAll,
		"butlerPostTask":           o.butlerStart,
		"butlerDeleteTask":         o.butlerStop,
		"activitiesGetSlash":       o.activitiesList,
		"activitiesDeleteActivity": o.activityCancel,
		"updaterGetStatus":         o.updaterStatus,
		"updaterPutCheck":          o.updaterCheck,
		"logPutSlash":              o.logPut,
		"logPostSlash":             o.logPost,

		"playlistGetSlash":             l.playlistsList,
		"playlistPostSlash":            l.playlistCreate,
		"playlistGetPlaylist":          l.playlistGet,
		"playlistPutPlaylist":          l.playlistEdit,
		"playlistDeletePlaylist":       l.playlistDelete,
		"playlistGetItems":             l.playlistItems,
		"playlistPutItems":             l.playlistAdd,
		"playlistDeleteItems":          l.playlistClear,
		"playlistDeleteItemsGenerator": l.playlistRemove,
		"playlistPutItemsMove":         l.playlistMove,

		"playQueuePostSlash":              l.playQueueCreate,
		"playQueueQueueGetSlash":          l.playQueueGet,
		"playQueueQueuePutSlash":          l.playQueueAdd,
		"playQueueQueueDeleteItems":       l.playQueueClear,
		"playQueueQueueDeleteItemsItem":   l.playQueueRemove,
		"playQueueQueuePutItemsMove":      l.playQueueMove,
		"playQueueQueuePutItemsShuffle":   l.playQueueShuffle,
		"playQueueQueuePutItemsUnshuffle": l.playQueueUnshuffle,
		"playQueuePlayQueueReset":         l.playQueueReset,

		"libraryCollectionPostSlash":                  l.collectionCreate,
		"libraryCollectionCollectionGetItems":         l.collectionItems,
		"libraryCollectionCollectionPutItems":         l.collectionAdd,
		"libraryCollectionCollectionPutItemsItem":     l.collectionRemove,
		"libraryCollectionCollectionPutItemsItemMove": l.collectionMove,
		"librarySectionDeleteCollectionCollection":    l.collectionDelete,
	} {
		h.ops[id] = fn
	}
	for id, fn := range o.scanOps() {
		h.ops[id] = fn
	}
	if get, del := h.ops["libraryMetadataGetSlash"], h.ops["libraryMetadataDeleteSlash"]; get != nil && del != nil {
		h.ops["libraryMetadataGetSlash"], h.ops["libraryMetadataDeleteSlash"] = l.asMetadata(get, del)
	}
}

// writeOK answers a write that has nothing to say: 200 with an empty body, as a PMS does.
func writeOK(c *call) { writeStatus(c, http.StatusOK) }

func writeStatus(c *call, status int) {
	c.w.Header().Set("Content-Type", contentHTML)
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(status)
}

// writeText answers status with a plain message, the way a PMS explains a bad request.
func writeText(c *call, status int, msg string) {
	c.w.Header().Set("Content-Type", contentHTML)
	c.w.WriteHeader(status)
	_, _ = c.w.Write([]byte(msg))
}

// writeValue answers with one element that is not a MediaContainer (ButlerTasks, say): in JSON
// {"<root>": v}, in XML v's own element.
func writeValue(c *call, root string, v any) {
	var body []byte
	var err error
	if c.json {
		body, err = json.Marshal(map[string]any{root: v})
	} else {
		body, err = xml.Marshal(v)
		body = append([]byte(xml.Header), body...)
	}
	if err != nil {
		writeError(c.w, http.StatusInternalServerError)
		return
	}
	if c.json {
		c.w.Header().Set("Content-Type", contentJSON)
	} else {
		c.w.Header().Set("Content-Type", contentXML)
	}
	_, _ = c.w.Write(body)
}

// lastSegment returns the last segment of path, unescaped.
func lastSegment(path string) string {
	seg := path[strings.LastIndexByte(strings.TrimSuffix(path, "/"), '/')+1:]
	seg = strings.TrimSuffix(seg, "/")
	if s, err := url.PathUnescape(seg); err == nil {
		return s
	}
	return seg
}
