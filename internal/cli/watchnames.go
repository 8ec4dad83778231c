package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

// playingNames puts names on the "playing" notifications `plexkit watch` prints on a terminal.
// A notification carries only keys (sessionKey, ratingKey, the player's client identifier), so
// the names are read as `plexkit sessions` reads them, from /status/sessions, once per session
// not yet seen. Only the owner may read the sessions; for anyone else the title comes from the
// item (GET /library/metadata/{key}) and no user is named. Lookups that fail leave the keys.
type playingNames struct {
	c          *pms.Client
	sessions   map[string]pms.Session // by sessionKey, from the last read of /status/sessions
	looked     map[string]bool        // sessionKey/ratingKey pairs read for already
	titles     map[string]string      // by rating key, for a caller who may not read sessions
	noSessions bool                   // the server refused /status/sessions
}

func newPlayingNames(c *pms.Client) *playingNames {
	return &playingNames{c: c, sessions: map[string]pms.Session{}, looked: map[string]bool{}, titles: map[string]string{}}
}

// session returns the session p is about, reading /status/sessions when p names one not seen.
func (n *playingNames) session(ctx context.Context, p pms.PlayingNotification) (pms.Session, bool) {
	key, rk := string(p.SessionKey), string(p.RatingKey)
	if s, ok := n.sessions[key]; ok && string(s.RatingKey) == rk {
		return s, true
	}
	if n.noSessions || n.looked[key+"/"+rk] {
		return pms.Session{}, false
	}
	n.looked[key+"/"+rk] = true
	list, err := n.c.Sessions.List(ctx)
	if err != nil {
		// Refused means not the owner, for good; anything else may pass.
		n.noSessions = errors.Is(err, plexkit.ErrForbidden) || errors.Is(err, plexkit.ErrUnauthorized)
		return pms.Session{}, false
	}
	for _, s := range list {
		n.sessions[string(s.SessionKey)] = s
	}
	s, ok := n.sessions[key]
	return s, ok && string(s.RatingKey) == rk
}

// title returns the title of the item with rating key rk, or rk when it cannot be read.
func (n *playingNames) title(ctx context.Context, rk string) string {
	if t, ok := n.titles[rk]; ok {
		return t
	}
	t := rk
	if it, err := n.c.Metadata.Get(ctx, rk); err == nil {
		t = it.DisplayTitle()
	}
	n.titles[rk] = t
	return t
}

// describe says in words what p reports: "session 7: alice playing "Title" at 0:30 on Kitchen
// (Plex Web)", as `plexkit sessions` names the user, the item and the player.
func (n *playingNames) describe(ctx context.Context, p pms.PlayingNotification) string {
	var b strings.Builder
	fmt.Fprintf(&b, "session %s: ", p.SessionKey)
	where := p.ClientIdentifier
	if s, ok := n.session(ctx, p); ok {
		if s.User.Title != "" {
			b.WriteString(s.User.Title + " ")
		}
		fmt.Fprintf(&b, "%s %q", p.State, s.DisplayTitle())
		if name := player(s.Player); name != "" {
			where = name
		}
	} else {
		fmt.Fprintf(&b, "%s %q", p.State, n.title(ctx, string(p.RatingKey)))
	}
	b.WriteString(" at " + clock(int64(p.ViewOffset)))
	if where != "" {
		b.WriteString(" on " + where)
	}
	if p.TranscodeSession != "" {
		b.WriteString(" (transcoding)")
	}
	return b.String()
}
