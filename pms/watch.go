package pms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/plexkit/plexkit/internal/wire"
)

// WatchService changes what the token's account has watched: played or not, how far, rated.
// Each account has its own watch state; the owner's token changes the owner's.
type WatchService service

// libraryIdentifier is the identifier of the library provider, which the watch-state
// operations require.
const libraryIdentifier = "com.plexapp.plugins.library"

// MarkWatched marks an item played (PUT /:/scrobble): its viewCount goes up and its progress is
// cleared; for a show or season, every episode. Plex adds no history entry for it.
func (s *WatchService) MarkWatched(ctx context.Context, ratingKey string) error {
	return s.scrobble(ctx, "scrobble", ratingKey)
}

// MarkUnwatched marks an item not played (PUT /:/unscrobble).
func (s *WatchService) MarkUnwatched(ctx context.Context, ratingKey string) error {
	return s.scrobble(ctx, "unscrobble", ratingKey)
}

func (s *WatchService) scrobble(ctx context.Context, op, ratingKey string) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, ":/"+op, url.Values{"key": {ratingKey}, "identifier": {libraryIdentifier}})
}

// Playback states of a timeline report.
const (
	StatePlaying = "playing"
	StatePaused  = "paused"
	StateStopped = "stopped"
)

// Timeline is a player's report of where it is in an item.
type Timeline struct {
	RatingKey string
	State     string        // StatePlaying, StatePaused or StateStopped
	Time      time.Duration // the position
	Duration  time.Duration // the item's length
}

// Report sends a timeline (POST /:/timeline), as a player does while it plays: the item's
// progress becomes t.Time, and it appears in On Deck and Continue Watching. When the server's
// owner has terminated the player's session, the server answers the next report with why, and
// Report returns it as a *TerminatedError: the player must stop.
func (s *WatchService) Report(ctx context.Context, t Timeline) error {
	if err := checkKey("ratingKey", t.RatingKey); err != nil {
		return err
	}
	switch t.State {
	case StatePlaying, StatePaused, StateStopped:
	default:
		return &ArgumentError{"Timeline.State", fmt.Sprintf("%q is not playing, paused or stopped", t.State)}
	}
	if t.Time < 0 || t.Duration < 0 {
		return &ArgumentError{"Timeline", "a negative time or duration"}
	}
	q := url.Values{
		"ratingKey":  {t.RatingKey},
		"key":        {"/library/metadata/" + t.RatingKey},
		"identifier": {libraryIdentifier},
		"state":      {t.State},
		"time":       {strconv.FormatInt(t.Time.Milliseconds(), 10)},
	}
	if t.Duration > 0 {
		q.Set("duration", strconv.FormatInt(t.Duration.Milliseconds(), 10))
	}
	var head struct {
		Code FlexInt `json:"terminationCode" xml:"terminationCode,attr"`
		Text string  `json:"terminationText" xml:"terminationText,attr"`
	}
	_, err := s.client.do(ctx, &request{method: http.MethodPost, path: ":/timeline", query: q, head: &head})
	switch {
	case errors.Is(err, wire.ErrEmpty):
		return nil // an answer without a body says nothing against the report
	case err != nil:
		return err
	}
	if head.Code != 0 || head.Text != "" {
		return &TerminatedError{Code: int(head.Code), Text: head.Text}
	}
	return nil
}

// SetProgress sets how far the account is in an item: a stopped timeline at offset. It reads
// the item first for its duration, which the report carries.
func (s *WatchService) SetProgress(ctx context.Context, ratingKey string, offset time.Duration) error {
	it, err := (*MetadataService)(s).Get(ctx, ratingKey)
	if err != nil {
		return err
	}
	return s.Report(ctx, Timeline{RatingKey: ratingKey, State: StateStopped, Time: offset, Duration: it.DurationTime()})
}

// Rate sets the account's rating of an item, 0 to 10 (PUT /:/rate).
func (s *WatchService) Rate(ctx context.Context, ratingKey string, rating float64) error {
	if rating < 0 || rating > 10 {
		return &ArgumentError{"rating", fmt.Sprintf("%g is not between 0 and 10", rating)}
	}
	return s.rate(ctx, ratingKey, strconv.FormatFloat(rating, 'f', -1, 64))
}

// ClearRating removes the account's rating of an item (PUT /:/rate with rating -1).
func (s *WatchService) ClearRating(ctx context.Context, ratingKey string) error {
	return s.rate(ctx, ratingKey, "-1")
}

func (s *WatchService) rate(ctx context.Context, ratingKey, rating string) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, ":/rate", url.Values{"key": {ratingKey}, "identifier": {libraryIdentifier}, "rating": {rating}})
}
