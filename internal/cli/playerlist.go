package cli

import (
	"context"

	"github.com/plexkit/plexkit/pms"
)

// playerStatus is a player as `plexkit player list` shows it: what /clients says of it, and
// whom it plays for and what, so that a person can tell two players of the same name apart.
// /clients names no user (python-plexapi's PlexClient reads none), so User comes from the
// player's session in /status/sessions, which only the owner may read; for anyone else State,
// Title and RatingKey come from the player's own timeline and User stays empty.
type playerStatus struct {
	pms.PlayerClient
	User      string `json:"user,omitempty"`
	State     string `json:"state,omitempty"`     // playing, paused, buffering; empty when idle
	Title     string `json:"title,omitempty"`     // what it plays
	RatingKey string `json:"ratingKey,omitempty"` // of what it plays
}

// playerStatuses adds to each player what it plays now and for whom. It reads the sessions
// once; when the server refuses them (a shared user) it asks each player for its timeline
// instead. What cannot be read stays empty: the list of players is still right without it.
func playerStatuses(ctx context.Context, c *pms.Client, players []pms.PlayerClient) []playerStatus {
	out := make([]playerStatus, len(players))
	for i, p := range players {
		out[i].PlayerClient = p
	}
	if sessions, err := c.Sessions.List(ctx); err == nil {
		for i := range out {
			for _, ss := range sessions {
				if ss.Player.MachineIdentifier == out[i].MachineIdentifier {
					out[i].User, out[i].State, out[i].Title, out[i].RatingKey = ss.User.Title, ss.Player.State, ss.DisplayTitle(), string(ss.RatingKey)
					break
				}
			}
		}
		return out
	}
	titles := map[string]string{}
	for i := range out {
		ts, err := c.Players.Remote(out[i].MachineIdentifier).Timelines(ctx)
		if err != nil {
			continue
		}
		tl, ok := pms.ActiveTimeline(ts)
		if !ok {
			continue
		}
		rk := string(tl.RatingKey)
		out[i].State, out[i].RatingKey = tl.State, rk
		if rk == "" {
			continue
		}
		if _, seen := titles[rk]; !seen {
			if it, err := c.Metadata.Get(ctx, rk); err == nil {
				titles[rk] = it.DisplayTitle()
			} else {
				titles[rk] = rk
			}
		}
		out[i].Title = titles[rk]
	}
	return out
}
