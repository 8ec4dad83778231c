package pms

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// PlayQueuesService manages play queues: what a player plays next, made from an item, a
// playlist or a query.
type PlayQueuesService service

// PlayQueue is a queue and its items; each item's PlayQueueItemID is its place in the queue
// (an item may be queued twice).
type PlayQueue struct {
	ID                     FlexInt    `json:"playQueueID" xml:"playQueueID,attr"`
	SelectedItemID         FlexInt    `json:"playQueueSelectedItemID" xml:"playQueueSelectedItemID,attr"`
	SelectedItemOffset     FlexInt    `json:"playQueueSelectedItemOffset" xml:"playQueueSelectedItemOffset,attr"`
	SelectedMetadataItemID FlexString `json:"playQueueSelectedMetadataItemID" xml:"playQueueSelectedMetadataItemID,attr"`
	Shuffled               FlexBool   `json:"playQueueShuffled" xml:"playQueueShuffled,attr"`
	SourceURI              string     `json:"playQueueSourceURI,omitempty" xml:"playQueueSourceURI,attr"`
	TotalCount             FlexInt    `json:"playQueueTotalCount" xml:"playQueueTotalCount,attr"`
	Version                FlexInt    `json:"playQueueVersion" xml:"playQueueVersion,attr"`
	Items                  []Item     `json:"-" xml:"-"`
}

// PlayQueueSource is what a new queue plays: one of an item (RatingKey), a playlist
// (PlaylistID), or a section's items that a query selects (SectionKey and Query).
type PlayQueueSource struct {
	RatingKey  string
	PlaylistID string
	SectionKey string
	Query      *Query
	// Type is "video", "audio" or "photo".
	Type    string
	Shuffle bool
}

// Create makes a play queue (POST /playQueues) and returns it with its first items.
func (s *PlayQueuesService) Create(ctx context.Context, src PlayQueueSource) (*PlayQueue, error) {
	if err := checkPlaylistType(src.Type); err != nil {
		return nil, err
	}
	q := url.Values{"type": {src.Type}, "shuffle": {Bool(src.Shuffle)}}
	switch {
	case src.PlaylistID != "" && (src.RatingKey != "" || src.SectionKey != ""):
		return nil, &ArgumentError{"PlayQueueSource", "give one source: an item, a playlist, or a section and a query"}
	case src.PlaylistID != "":
		if err := checkKey("PlaylistID", src.PlaylistID); err != nil {
			return nil, err
		}
		q.Set("playlistID", src.PlaylistID)
	default:
		var keys []string
		if src.RatingKey != "" {
			keys = []string{src.RatingKey}
		}
		uri, _, err := s.client.sourceURI(ctx, keys, src.SectionKey, src.Query)
		if err != nil {
			return nil, err
		}
		q.Set("uri", uri)
	}
	return s.queue(ctx, http.MethodPost, "playQueues", q)
}

// Get returns a play queue (GET /playQueues/{id}).
func (s *PlayQueuesService) Get(ctx context.Context, id int) (*PlayQueue, error) {
	return s.queue(ctx, get, queuePath(id), nil)
}

// Add queues an item at the end, or next with next set (PUT /playQueues/{id}).
func (s *PlayQueuesService) Add(ctx context.Context, id int, ratingKey string, next bool) (*PlayQueue, error) {
	uri, _, err := s.client.sourceURI(ctx, []string{ratingKey}, "", nil)
	if err != nil {
		return nil, err
	}
	q := url.Values{"uri": {uri}}
	if next {
		q.Set("next", "1")
	}
	return s.queue(ctx, http.MethodPut, queuePath(id), q)
}

// Shuffle shuffles the queue (PUT /playQueues/{id}/shuffle).
func (s *PlayQueuesService) Shuffle(ctx context.Context, id int) (*PlayQueue, error) {
	return s.queue(ctx, http.MethodPut, queuePath(id)+"/shuffle", nil)
}

// Unshuffle restores the queue's order (PUT /playQueues/{id}/unshuffle).
func (s *PlayQueuesService) Unshuffle(ctx context.Context, id int) (*PlayQueue, error) {
	return s.queue(ctx, http.MethodPut, queuePath(id)+"/unshuffle", nil)
}

// Move moves an entry after another (PUT /playQueues/{id}/items/{playQueueItemID}/move); after
// 0 moves it to the top.
func (s *PlayQueuesService) Move(ctx context.Context, id, playQueueItemID, after int) (*PlayQueue, error) {
	q := url.Values{}
	if after > 0 {
		q.Set("after", strconv.Itoa(after))
	}
	return s.queue(ctx, http.MethodPut, queuePath(id)+"/items/"+strconv.Itoa(playQueueItemID)+"/move", q)
}

// Remove removes an entry (DELETE /playQueues/{id}/items/{playQueueItemID}).
func (s *PlayQueuesService) Remove(ctx context.Context, id, playQueueItemID int) (*PlayQueue, error) {
	return s.queue(ctx, http.MethodDelete, queuePath(id)+"/items/"+strconv.Itoa(playQueueItemID), nil)
}

// Clear removes every entry (DELETE /playQueues/{id}/items).
func (s *PlayQueuesService) Clear(ctx context.Context, id int) (*PlayQueue, error) {
	return s.queue(ctx, http.MethodDelete, queuePath(id)+"/items", nil)
}

func queuePath(id int) string { return "playQueues/" + strconv.Itoa(id) }

// queue makes a call whose answer is the queue: its fields on the container, its items as
// children.
func (s *PlayQueuesService) queue(ctx context.Context, method, path string, q url.Values) (*PlayQueue, error) {
	pq := &PlayQueue{Items: []Item{}}
	_, err := s.client.do(ctx, &request{
		method: method, path: path, query: q, head: pq,
		childKeys: itemNames, child: collect(&pq.Items, itemNames...),
	})
	if err != nil {
		return nil, err
	}
	return pq, nil
}
