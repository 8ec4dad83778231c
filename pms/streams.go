package pms

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// StreamSelection is which audio and subtitle streams of a part play for the token's account.
type StreamSelection struct {
	Audio    int  // the id of an audio stream of the part; 0 leaves the choice as it is
	Subtitle int  // the id of a subtitle stream of the part; 0 leaves the choice as it is
	NoSubs   bool // turn subtitles off (Subtitle must then be 0)
	// AllParts makes the same choice on the item's other parts, picking in each the stream
	// most like the chosen one.
	AllParts bool
}

// SelectStreams chooses the audio and subtitle streams of a part for the token's account only
// (PUT /library/parts/{id}): later reads of the item show that account the chosen Stream as
// Selected. Part and stream ids are those of Item.Media[].Parts[] and its Streams; PMS answers
// 400 (a *plexkit.Error) when a stream is not one of the part's. A selection that names no
// stream (and not NoSubs) changes nothing, and is an *ArgumentError.
func (s *MetadataService) SelectStreams(ctx context.Context, partID int, sel StreamSelection) error {
	if partID <= 0 {
		return &ArgumentError{"partID", strconv.Itoa(partID) + " is not a part id"}
	}
	switch {
	case sel.NoSubs && sel.Subtitle != 0:
		return &ArgumentError{"StreamSelection", "NoSubs with a Subtitle stream"}
	case sel.Audio < 0 || sel.Subtitle < 0:
		return &ArgumentError{"StreamSelection", "stream ids are positive"}
	case sel.Audio == 0 && sel.Subtitle == 0 && !sel.NoSubs:
		return &ArgumentError{"StreamSelection", "changes nothing"}
	}
	q := url.Values{}
	if sel.Audio != 0 {
		q.Set("audioStreamID", strconv.Itoa(sel.Audio))
	}
	switch {
	case sel.Subtitle != 0:
		q.Set("subtitleStreamID", strconv.Itoa(sel.Subtitle))
	case sel.NoSubs:
		q.Set("subtitleStreamID", "0")
	}
	if sel.AllParts {
		q.Set("allParts", "1")
	}
	return s.client.write(ctx, http.MethodPut, "library/parts/"+strconv.Itoa(partID), q)
}
