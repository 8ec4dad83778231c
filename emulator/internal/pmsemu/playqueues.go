package pmsemu

import (
	"encoding/xml"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// A play queue is what a player plays next: items in play order, one of them selected (playing).
// Every change bumps its version, which players compare to know their copy is stale. It belongs
// to the account that made it.
type playQueue struct {
	id, owner  int
	kind       string // video, audio, photo
	sourceURI  string
	entries    []entry     // in play order
	order      map[int]int // while shuffled: entry id → position to return to on unshuffle
	nextOrder  int
	selected   int // entry id; 0 when the queue is empty
	lastAdded  int // entry id of the last added item
	shuffled   bool
	version    int
	repeat     bool
	continuous bool
}

// playQueueContainer heads every play queue answer.
type playQueueContainer struct {
	XMLName                         xml.Name `json:"-" xml:"MediaContainer"`
	Size                            int      `json:"size" xml:"size,attr"`
	Identifier                      string   `json:"identifier" xml:"identifier,attr"`
	MediaTagPrefix                  string   `json:"mediaTagPrefix" xml:"mediaTagPrefix,attr"`
	MediaTagVersion                 int64    `json:"mediaTagVersion" xml:"mediaTagVersion,attr"`
	PlayQueueID                     int      `json:"playQueueID" xml:"playQueueID,attr"`
	PlayQueueLastAddedItemID        string   `json:"playQueueLastAddedItemID,omitempty" xml:"playQueueLastAddedItemID,attr,omitempty"`
	PlayQueueSelectedItemID         int      `json:"playQueueSelectedItemID" xml:"playQueueSelectedItemID,attr"`
	PlayQueueSelectedItemOffset     int      `json:"playQueueSelectedItemOffset" xml:"playQueueSelectedItemOffset,attr"`
	PlayQueueSelectedMetadataItemID int      `json:"playQueueSelectedMetadataItemID" xml:"playQueueSelectedMetadataItemID,attr"`
	PlayQueueShuffled               xbool    `json:"playQueueShuffled" xml:"playQueueShuffled,attr"`
	PlayQueueSourceURI              string   `json:"playQueueSourceURI" xml:"playQueueSourceURI,attr"`
	PlayQueueTotalCount             int      `json:"playQueueTotalCount" xml:"playQueueTotalCount,attr"`
	PlayQueueVersion                int      `json:"playQueueVersion" xml:"playQueueVersion,attr"`
}

// queueByID returns c's caller's play queue with id (text), or nil.
func (l *lists) queueByID(c *call, id string) *playQueue {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil
	}
	l.mu.Lock()
	q := l.queues[n]
	l.mu.Unlock()
	if q == nil || q.owner != l.h.account(c) {
		return nil
	}
	return q
}

// queueOf returns the play queue in path segment 1, or answers 404 and returns nil.
func (l *lists) queueOf(c *call) *playQueue {
	q := l.queueByID(c, pathSegment(c.r.URL.Path, 1))
	if q == nil {
		writeError(c.w, http.StatusNotFound)
	}
	return q
}

// addLocked adds keys to q: at the end, or (next) right after the selected item. It returns
// the new entries.
func (l *lists) addLocked(q *playQueue, keys []int, next bool) []entry {
	es := l.newEntriesLocked(keys)
	if q.shuffled {
		// Unshuffled, items added while shuffled come last, in the order they came.
		for _, e := range es {
			q.order[e.id] = q.nextOrder
			q.nextOrder++
		}
	}
	at := len(q.entries)
	if next {
		if i := indexOfEntry(q.entries, q.selected); i >= 0 {
			at = i + 1
		}
	}
	q.entries = append(q.entries[:at:at], append(es, q.entries[at:]...)...)
	if q.selected == 0 && len(q.entries) > 0 {
		q.selected = q.entries[0].id
	}
	if len(es) > 0 {
		q.lastAdded = es[len(es)-1].id
	}
	return es
}

// queueSource reads the uri or playlistID of a play queue request: the items, the source uri
// to report, or the status and message to refuse it with.
func (l *lists) queueSource(c *call) ([]int, string, int, string) {
	if pl := c.query.Get("playlistID"); pl != "" {
		id, _ := strconv.Atoi(pl)
		l.mu.Lock()
		p := l.playlists[id]
		l.mu.Unlock()
		if p == nil || p.owner != l.h.account(c) {
			return nil, "", http.StatusBadRequest, "playlistID: no such playlist"
		}
		var keys []int
		for _, e := range l.playlistEntries(c, p) {
			keys = append(keys, e.rk)
		}
		if len(keys) == 0 {
			return nil, "", http.StatusBadRequest, errNoItems.Error()
		}
		return keys, "library://x/playlist/" + pl, 0, ""
	}
	uri := c.query.Get("uri")
	if uri == "" {
		return nil, "", http.StatusBadRequest, "uri or playlistID is required"
	}
	src, err := l.parseURI(c, uri)
	if err == nil {
		var keys []int
		if keys, err = l.leaves(c, src); err == nil {
			return keys, uri, 0, ""
		}
	}
	return nil, "", http.StatusBadRequest, err.Error()
}

// playQueueCreate serves POST /playQueues?type=&uri= (or playlistID=)[&key=][&shuffle=1]
// [&repeat=1][&continuous=1]: a queue of the items, the one named by key selected (else the
// first).
func (l *lists) playQueueCreate(c *call) {
	kind := c.query.Get("type")
	if kind != "video" && kind != "audio" && kind != "photo" {
		writeText(c, http.StatusBadRequest, "type must be video, audio or photo")
		return
	}
	keys, uri, status, msg := l.queueSource(c)
	if status != 0 {
		writeText(c, status, msg)
		return
	}
	q := &playQueue{owner: l.h.account(c), kind: kind, sourceURI: uri, order: map[int]int{}, version: 1,
		repeat: c.query.Get("repeat") == "1", continuous: c.query.Get("continuous") == "1"}
	l.mu.Lock()
	q.id = l.nextQueueID
	l.nextQueueID++
	l.addLocked(q, keys, false)
	q.lastAdded = 0
	if key := c.query.Get("key"); key != "" {
		rk, _ := ParseRatingKey(strings.TrimPrefix(key, "/library/metadata/"))
		for _, e := range q.entries {
			if e.rk == rk {
				q.selected = e.id
				break
			}
		}
	}
	if c.query.Get("shuffle") == "1" {
		q.shuffleLocked()
	}
	l.queues[q.id] = q
	l.forgetOldQueuesLocked(q.owner)
	l.mu.Unlock()
	l.writeQueue(c, q)
}

// maxQueuesPerAccount is how many play queues an account keeps: making one more forgets its
// oldest, as a PMS expires play queues, so a long-running emulator does not keep them all.
const maxQueuesPerAccount = 50

func (l *lists) forgetOldQueuesLocked(owner int) {
	var ids []int
	for id, q := range l.queues {
		if q.owner == owner {
			ids = append(ids, id)
		}
	}
	if len(ids) <= maxQueuesPerAccount {
		return
	}
	slices.Sort(ids)
	for _, id := range ids[:len(ids)-maxQueuesPerAccount] {
		delete(l.queues, id)
	}
}

// shuffleLocked puts the selected item first and the others in a random order, seeded by the
// queue, so the same requests give the same order.
func (q *playQueue) shuffleLocked() {
	i := indexOfEntry(q.entries, q.selected)
	if i < 0 {
		return
	}
	if !q.shuffled {
		// Remember the order to return to on unshuffle.
		clear(q.order)
		for j, e := range q.entries {
			q.order[e.id] = j
		}
		q.nextOrder = len(q.entries)
	}
	sel := q.entries[i]
	rest := append(slices.Clone(q.entries[:i]), q.entries[i+1:]...)
	r := rand.New(rand.NewPCG(uint64(q.id), uint64(q.version)))
	r.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
	q.entries = append([]entry{sel}, rest...)
	q.shuffled = true
}

// writeQueue answers with q: its state and a window of its items around the selected one
// (window= items each side, 50 by default; includeBefore=0 and includeAfter=0 trim a side).
func (l *lists) writeQueue(c *call, q *playQueue) {
	win, ok := parseCount(c.query.Get("window"), 50)
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	es := slices.Clone(q.entries)
	head := playQueueContainer{
		Identifier: "com.plexapp.plugins.library", MediaTagPrefix: "/system/bundle/media/flags/",
		MediaTagVersion: addedBase, PlayQueueID: q.id, PlayQueueSelectedItemID: q.selected,
		PlayQueueShuffled: xbool(q.shuffled), PlayQueueSourceURI: q.sourceURI,
		PlayQueueTotalCount: len(q.entries), PlayQueueVersion: q.version,
	}
	if q.lastAdded != 0 {
		head.PlayQueueLastAddedItemID = strconv.Itoa(q.lastAdded)
	}
	l.mu.Unlock()
	sel := max(indexOfEntry(es, head.PlayQueueSelectedItemID), 0)
	if len(es) > 0 {
		head.PlayQueueSelectedItemOffset = sel
		head.PlayQueueSelectedMetadataItemID = es[sel].rk
	}
	if center := c.query.Get("center"); center != "" {
		if id, err := strconv.Atoi(center); err == nil && indexOfEntry(es, id) >= 0 {
			sel = indexOfEntry(es, id)
		}
	}
	from, to := max(sel-win, 0), min(sel+win+1, len(es))
	if c.query.Get("includeBefore") == "0" {
		from = sel
	}
	if c.query.Get("includeAfter") == "0" {
		to = min(sel+1, len(es))
	}
	head.Size = to - from
	v := l.h.viewOf(c, false)
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		e := es[from+i]
		m, _ := l.h.renderKey(e.rk, v)
		return listedItem{metadata: m, PlayQueueItemID: e.id}
	}}.write(c.w, c.json)
}

// playQueueGet serves GET /playQueues/{id}.
func (l *lists) playQueueGet(c *call) {
	if q := l.queueOf(c); q != nil {
		l.writeQueue(c, q)
	}
}

// changeQueue applies change to c's caller's queue, bumps its version and answers with it.
func (l *lists) changeQueue(c *call, change func(q *playQueue) (status int, msg string)) {
	q := l.queueOf(c)
	if q == nil {
		return
	}
	status, msg := change(q)
	if status != 0 {
		writeText(c, status, msg)
		return
	}
	l.mu.Lock()
	q.version++
	l.mu.Unlock()
	l.writeQueue(c, q)
}

// playQueueAdd serves PUT /playQueues/{id}?uri= (or playlistID=)[&next=1].
func (l *lists) playQueueAdd(c *call) {
	keys, _, status, msg := l.queueSource(c)
	l.changeQueue(c, func(q *playQueue) (int, string) {
		if status != 0 {
			return status, msg
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.addLocked(q, keys, c.query.Get("next") == "1")
		return 0, ""
	})
}

// playQueueClear serves DELETE /playQueues/{id}/items.
func (l *lists) playQueueClear(c *call) {
	l.changeQueue(c, func(q *playQueue) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		q.entries, q.selected = nil, 0
		return 0, ""
	})
}

// playQueueRemove serves DELETE /playQueues/{id}/items/{playQueueItemID}. Removing the selected
// item selects the one after it (or before it, at the end).
func (l *lists) playQueueRemove(c *call) {
	id, _ := strconv.Atoi(pathSegment(c.r.URL.Path, 3))
	l.changeQueue(c, func(q *playQueue) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		i := indexOfEntry(q.entries, id)
		if i < 0 {
			return http.StatusNotFound, "no item " + strconv.Itoa(id) + " in the play queue"
		}
		q.entries, _ = removeEntry(q.entries, id)
		if q.selected == id {
			q.selected = 0
			if len(q.entries) > 0 {
				q.selected = q.entries[min(i, len(q.entries)-1)].id
			}
		}
		return 0, ""
	})
}

// playQueueMove serves PUT /playQueues/{id}/items/{playQueueItemID}/move[?after=].
func (l *lists) playQueueMove(c *call) {
	id, _ := strconv.Atoi(pathSegment(c.r.URL.Path, 3))
	after, _ := strconv.Atoi(c.query.Get("after"))
	l.changeQueue(c, func(q *playQueue) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		es, ok := moveAfter(slices.Clone(q.entries), id, after)
		if !ok {
			return http.StatusNotFound, "no such item in the play queue"
		}
		q.entries = es
		return 0, ""
	})
}

// playQueueShuffle serves PUT /playQueues/{id}/shuffle: the selected item stays selected and
// first, the others are shuffled (again, if they were).
func (l *lists) playQueueShuffle(c *call) {
	l.changeQueue(c, func(q *playQueue) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		q.shuffleLocked()
		return 0, ""
	})
}

// playQueueUnshuffle serves PUT /playQueues/{id}/unshuffle: the order before the shuffle, with
// items added since at the end.
func (l *lists) playQueueUnshuffle(c *call) {
	l.changeQueue(c, func(q *playQueue) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if q.shuffled {
			slices.SortStableFunc(q.entries, func(a, b entry) int { return q.order[a.id] - q.order[b.id] })
			q.shuffled = false
		}
		return 0, ""
	})
}

// playQueueReset serves PUT /playQueues/{id}/reset: the first item becomes the selected one.
func (l *lists) playQueueReset(c *call) {
	l.changeQueue(c, func(q *playQueue) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(q.entries) > 0 {
			q.selected = q.entries[0].id
		}
		return 0, ""
	})
}
