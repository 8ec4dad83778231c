package plextv

import (
	"context"
	"net/http"
	"strconv"
)

// FriendsService lists the accounts the account shares with: its friends and the users of its
// Plex Home, each with the servers shared with them.
type FriendsService struct{ c *Client }

// Friend is an account the account shares with (a <User> of GET /api/users/): a friend, or a
// user of its Plex Home, whose Username and Email are then empty. ID is the plex.tv account id,
// which is also the accountID a Plex Media Server reports for that user's sessions and history.
type Friend struct {
	ID                 int64          `json:"id" xml:"id,attr"`
	UUID               string         `json:"uuid" xml:"uuid,attr"`
	Title              string         `json:"title" xml:"title,attr"`
	Username           string         `json:"username" xml:"username,attr"`
	Email              string         `json:"email" xml:"email,attr"`
	Thumb              string         `json:"thumb" xml:"thumb,attr"`
	Protected          bool           `json:"protected" xml:"protected,attr"`
	Home               bool           `json:"home" xml:"home,attr"`
	Restricted         bool           `json:"restricted" xml:"restricted,attr"`
	AllowSync          bool           `json:"allowSync" xml:"allowSync,attr"`
	AllowCameraUpload  bool           `json:"allowCameraUpload" xml:"allowCameraUpload,attr"`
	AllowChannels      bool           `json:"allowChannels" xml:"allowChannels,attr"`
	AllowSubtitleAdmin bool           `json:"allowSubtitleAdmin" xml:"allowSubtitleAdmin,attr"`
	AllowTuners        int            `json:"allowTuners" xml:"allowTuners,attr"`
	FilterAll          string         `json:"filterAll" xml:"filterAll,attr"`
	FilterMovies       string         `json:"filterMovies" xml:"filterMovies,attr"`
	FilterMusic        string         `json:"filterMusic" xml:"filterMusic,attr"`
	FilterPhotos       string         `json:"filterPhotos" xml:"filterPhotos,attr"`
	FilterTelevision   string         `json:"filterTelevision" xml:"filterTelevision,attr"`
	Servers            []FriendServer `json:"servers" xml:"Server"`
}

// FriendServer is a server shared with a friend, as the friends list shows it.
type FriendServer struct {
	// ID identifies the share: it is the id SharingService.Update and Remove take.
	ID                int64  `json:"id" xml:"id,attr"`
	ServerID          int64  `json:"serverId" xml:"serverId,attr"`
	MachineIdentifier string `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Name              string `json:"name" xml:"name,attr"`
	LastSeenAt        int64  `json:"lastSeenAt" xml:"lastSeenAt,attr"` // Unix seconds
	NumLibraries      int    `json:"numLibraries" xml:"numLibraries,attr"`
	AllLibraries      bool   `json:"allLibraries" xml:"allLibraries,attr"`
	Owned             bool   `json:"owned" xml:"owned,attr"`
	Pending           bool   `json:"pending" xml:"pending,attr"` // the invitation is not accepted yet
}

// Name returns how a person would call the friend: the username, else (a Home user) the title.
func (f Friend) Name() string {
	if f.Username != "" {
		return f.Username
	}
	return f.Title
}

// List returns the account's friends and Home users with the servers shared with each (GET
// /api/users/, which plex.tv answers in XML; python-plexapi and Tautulli read the same list).
func (s *FriendsService) List(ctx context.Context) ([]Friend, error) {
	var out struct {
		Users []Friend `xml:"User"`
	}
	if err := s.c.do(ctx, request{method: http.MethodGet, path: "/api/users/", authed: true}, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// Remove ends the friendship with the account id (DELETE /api/v2/sharings/{id}): every server
// the account shared with that friend stops being shared with them.
func (s *FriendsService) Remove(ctx context.Context, id int64) error {
	return s.c.do(ctx, request{method: http.MethodDelete, path: "/api/v2/sharings/" + strconv.FormatInt(id, 10), authed: true}, nil)
}
