package plextv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SharingService manages the shares of the account's servers: which libraries of which server
// each friend or Home user sees. It uses the /api/servers/{machineIdentifier} endpoints that
// python-plexapi and Tautulli use; plex.tv answers them in XML.
type SharingService struct{ c *Client }

// ServerSection is a library section of a server as plex.tv knows it. ID is plex.tv's id for
// it, the one shares are made of; Key is the section's key on the server itself.
type ServerSection struct {
	ID    int64  `json:"id" xml:"id,attr"`
	Key   string `json:"key" xml:"key,attr"`
	Title string `json:"title" xml:"title,attr"`
	Type  string `json:"type" xml:"type,attr"` // movie, show, artist, photo
	// Shared says, in a share's list of sections, whether that share includes the section.
	Shared bool `json:"shared" xml:"shared,attr"`
}

// SharedServer is one share of a server: who it is shared with and which sections they see
// (an element of GET /api/servers/{machineIdentifier}/shared_servers).
//
// AccessToken is that user's token for this server, what the user presents to it. String and
// GoString leave it out; do not marshal a SharedServer into a log.
type SharedServer struct {
	ID                 int64           `json:"id" xml:"id,attr"`
	UserID             int64           `json:"userID" xml:"userID,attr"`
	Username           string          `json:"username" xml:"username,attr"`
	Email              string          `json:"email" xml:"email,attr"`
	Name               string          `json:"name" xml:"name,attr"` // the server's name
	AccessToken        string          `json:"accessToken" xml:"accessToken,attr"`
	InvitedAt          int64           `json:"invitedAt" xml:"invitedAt,attr"`   // Unix seconds
	AcceptedAt         int64           `json:"acceptedAt" xml:"acceptedAt,attr"` // Unix seconds; 0 while pending
	AllowSync          bool            `json:"allowSync" xml:"allowSync,attr"`
	AllowCameraUpload  bool            `json:"allowCameraUpload" xml:"allowCameraUpload,attr"`
	AllowChannels      bool            `json:"allowChannels" xml:"allowChannels,attr"`
	AllowTuners        int             `json:"allowTuners" xml:"allowTuners,attr"`
	AllowSubtitleAdmin bool            `json:"allowSubtitleAdmin" xml:"allowSubtitleAdmin,attr"`
	Owned              bool            `json:"owned" xml:"owned,attr"`
	AllLibraries       bool            `json:"allLibraries" xml:"allLibraries,attr"`
	FilterAll          string          `json:"filterAll" xml:"filterAll,attr"`
	FilterMovies       string          `json:"filterMovies" xml:"filterMovies,attr"`
	FilterMusic        string          `json:"filterMusic" xml:"filterMusic,attr"`
	FilterPhotos       string          `json:"filterPhotos" xml:"filterPhotos,attr"`
	FilterTelevision   string          `json:"filterTelevision" xml:"filterTelevision,attr"`
	Sections           []ServerSection `json:"sections" xml:"Section"`
}

// String describes the share without its access token.
func (s SharedServer) String() string {
	n, unit := len(s.SharedSections()), "sections"
	if n == 1 {
		unit = "section"
	}
	return fmt.Sprintf("%s shared with %s (%d %s)", s.Name, s.Username, n, unit)
}

// GoString is String, so that %#v does not print the access token either.
func (s SharedServer) GoString() string { return s.String() }

// SharedSections returns the sections the share includes.
func (s SharedServer) SharedSections() []ServerSection {
	var out []ServerSection
	for _, sec := range s.Sections {
		if sec.Shared || s.AllLibraries {
			out = append(out, sec)
		}
	}
	return out
}

// ErrNoMachineIdentifier is returned when a sharing call is given no server.
var ErrNoMachineIdentifier = errors.New("plextv: no server: give the server's machine identifier")

func serverPath(machineID string, rest ...string) (string, error) {
	if strings.TrimSpace(machineID) == "" {
		return "", ErrNoMachineIdentifier
	}
	return "/api/servers/" + url.PathEscape(machineID) + strings.Join(rest, ""), nil
}

// Sections returns the library sections of the account's server machineID with plex.tv's ids
// for them (GET /api/servers/{machineIdentifier}), which Share and Update take.
func (s *SharingService) Sections(ctx context.Context, machineID string) ([]ServerSection, error) {
	path, err := serverPath(machineID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Servers []struct {
			Sections []ServerSection `xml:"Section"`
		} `xml:"Server"`
	}
	if err := s.c.do(ctx, request{method: http.MethodGet, path: path, authed: true}, &out); err != nil {
		return nil, err
	}
	if len(out.Servers) == 0 {
		return nil, fmt.Errorf("plextv: GET %s: the answer lists no server", path)
	}
	return out.Servers[0].Sections, nil
}

// List returns the shares of the account's server machineID, each with the sections it
// includes (GET /api/servers/{machineIdentifier}/shared_servers).
func (s *SharingService) List(ctx context.Context, machineID string) ([]SharedServer, error) {
	path, err := serverPath(machineID, "/shared_servers")
	if err != nil {
		return nil, err
	}
	var out struct {
		Shares []SharedServer `xml:"SharedServer"`
	}
	if err := s.c.do(ctx, request{method: http.MethodGet, path: path, authed: true}, &out); err != nil {
		return nil, err
	}
	return out.Shares, nil
}

// Share is what a share grants: the sections (plex.tv section ids, from Sections; none means
// every section) and the permissions.
type Share struct {
	SectionIDs        []int64
	AllowSync         bool
	AllowCameraUpload bool
	AllowChannels     bool
	// Filters restrict what the user sees, in Plex's filter syntax ("contentRating=G|label=kids").
	FilterMovies, FilterTelevision, FilterMusic string
}

// Invitee names who a share is for: an existing account by its id, or anyone by email or
// username (plex.tv then sends an invitation).
type Invitee struct {
	ID    int64
	Email string // an email address or a username
}

// ErrNoInvitee is returned by Invite when the invitee has neither an id nor an email.
var ErrNoInvitee = errors.New("plextv: no invitee: give an account id or an email (or username)")

type shareBody struct {
	ServerID       string          `json:"server_id"`
	SharedServer   sharedServerReq `json:"shared_server"`
	SharingSetting *sharingSetting `json:"sharing_settings,omitempty"`
}

type sharedServerReq struct {
	LibrarySectionIDs []int64 `json:"library_section_ids"`
	InvitedEmail      string  `json:"invited_email,omitempty"`
	InvitedID         int64   `json:"invited_id,omitempty"`
}

// sharingSetting is plex.tv's sharing_settings: flags as "0"/"1" strings, as python-plexapi
// and @ctrl/plex send them.
type sharingSetting struct {
	AllowSync         string `json:"allowSync"`
	AllowCameraUpload string `json:"allowCameraUpload"`
	AllowChannels     string `json:"allowChannels"`
	FilterMovies      string `json:"filterMovies"`
	FilterTelevision  string `json:"filterTelevision"`
	FilterMusic       string `json:"filterMusic"`
}

func flag01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (sh Share) settings() *sharingSetting {
	return &sharingSetting{
		AllowSync: flag01(sh.AllowSync), AllowCameraUpload: flag01(sh.AllowCameraUpload), AllowChannels: flag01(sh.AllowChannels),
		FilterMovies: sh.FilterMovies, FilterTelevision: sh.FilterTelevision, FilterMusic: sh.FilterMusic,
	}
}

func sectionIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// Invite shares the account's server machineID with who (POST
// /api/servers/{machineIdentifier}/shared_servers). A server already shared with that account is
// refused by plex.tv: change the share with Update instead.
func (s *SharingService) Invite(ctx context.Context, machineID string, who Invitee, share Share) error {
	path, err := serverPath(machineID, "/shared_servers")
	if err != nil {
		return err
	}
	if who.ID == 0 && strings.TrimSpace(who.Email) == "" {
		return ErrNoInvitee
	}
	body := shareBody{
		ServerID:       machineID,
		SharedServer:   sharedServerReq{LibrarySectionIDs: sectionIDs(share.SectionIDs), InvitedEmail: who.Email, InvitedID: who.ID},
		SharingSetting: share.settings(),
	}
	return s.c.do(ctx, request{method: http.MethodPost, path: path, body: body, authed: true}, nil)
}

// Update changes the sections and permissions of the share id (a SharedServer's ID) of the
// account's server machineID (PUT /api/servers/{machineIdentifier}/shared_servers/{id}).
func (s *SharingService) Update(ctx context.Context, machineID string, id int64, share Share) error {
	path, err := serverPath(machineID, "/shared_servers/", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	body := shareBody{
		ServerID:       machineID,
		SharedServer:   sharedServerReq{LibrarySectionIDs: sectionIDs(share.SectionIDs)},
		SharingSetting: share.settings(),
	}
	return s.c.do(ctx, request{method: http.MethodPut, path: path, body: body, authed: true}, nil)
}

// Remove stops sharing the account's server machineID through the share id (DELETE
// /api/servers/{machineIdentifier}/shared_servers/{id}). The user's token for that server stops
// working at once.
func (s *SharingService) Remove(ctx context.Context, machineID string, id int64) error {
	path, err := serverPath(machineID, "/shared_servers/", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	return s.c.do(ctx, request{method: http.MethodDelete, path: path, authed: true}, nil)
}
