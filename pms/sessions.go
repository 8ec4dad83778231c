package pms

import (
	"context"
	"net/http"
	"strings"
)

// SessionsService lists what is playing on the server now.
type SessionsService service

// Session is an item being played: the item, who plays it, on which player, over what
// connection, and the transcode when there is one.
type Session struct {
	Item
	SessionKey FlexString `json:"sessionKey" xml:"sessionKey,attr"`
	User       User       `json:"User" xml:"User"`
	Player     Player     `json:"Player" xml:"Player"`
	// Session is the playback's network side. (Its JSON key and XML element are "Session".)
	Session          SessionInfo       `json:"Session" xml:"Session"`
	TranscodeSession *TranscodeSession `json:"TranscodeSession,omitempty" xml:"TranscodeSession"`
}

// User is the account playing a session.
type User struct {
	ID    FlexString `json:"id" xml:"id,attr"` // plex.tv account id
	Title string     `json:"title" xml:"title,attr"`
	Thumb string     `json:"thumb,omitempty" xml:"thumb,attr"`
}

// Player is the device playing a session.
type Player struct {
	Title               string   `json:"title" xml:"title,attr"`
	State               string   `json:"state" xml:"state,attr"` // playing, paused, buffering
	Product             string   `json:"product" xml:"product,attr"`
	Platform            string   `json:"platform" xml:"platform,attr"`
	PlatformVersion     string   `json:"platformVersion,omitempty" xml:"platformVersion,attr"`
	Version             string   `json:"version,omitempty" xml:"version,attr"`
	Model               string   `json:"model,omitempty" xml:"model,attr"`
	Vendor              string   `json:"vendor,omitempty" xml:"vendor,attr"`
	MachineIdentifier   string   `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Address             string   `json:"address" xml:"address,attr"`
	RemotePublicAddress string   `json:"remotePublicAddress,omitempty" xml:"remotePublicAddress,attr"`
	Local               FlexBool `json:"local" xml:"local,attr"`
	Relayed             FlexBool `json:"relayed" xml:"relayed,attr"`
	Secure              FlexBool `json:"secure" xml:"secure,attr"`
	UserID              FlexInt  `json:"userID" xml:"userID,attr"`
}

// SessionInfo is the network side of a playback.
type SessionInfo struct {
	ID        string  `json:"id" xml:"id,attr"`
	Bandwidth FlexInt `json:"bandwidth" xml:"bandwidth,attr"` // kbit/s
	Location  string  `json:"location" xml:"location,attr"`   // lan or wan
}

// TranscodeSession is a transcode: in a session while the server transcodes it, in
// GET /transcode/sessions, and in transcodeSession.* notifications. Key is the bare id in lists
// and "/transcode/sessions/<id>" in notifications; ID returns the id either way.
type TranscodeSession struct {
	Key              string    `json:"key" xml:"key,attr"`
	Throttled        FlexBool  `json:"throttled" xml:"throttled,attr"`
	Complete         FlexBool  `json:"complete" xml:"complete,attr"`
	Progress         FlexFloat `json:"progress" xml:"progress,attr"` // percent
	Speed            FlexFloat `json:"speed" xml:"speed,attr"`
	Error            FlexBool  `json:"error,omitempty" xml:"error,attr"`
	Duration         FlexInt   `json:"duration,omitempty" xml:"duration,attr"` // milliseconds
	Context          string    `json:"context,omitempty" xml:"context,attr"`   // streaming
	Protocol         string    `json:"protocol,omitempty" xml:"protocol,attr"` // hls, dash, http
	SourceVideoCodec string    `json:"sourceVideoCodec,omitempty" xml:"sourceVideoCodec,attr"`
	SourceAudioCodec string    `json:"sourceAudioCodec,omitempty" xml:"sourceAudioCodec,attr"`
	VideoDecision    string    `json:"videoDecision,omitempty" xml:"videoDecision,attr"` // copy, transcode
	AudioDecision    string    `json:"audioDecision,omitempty" xml:"audioDecision,attr"`
	Container        string    `json:"container,omitempty" xml:"container,attr"`
	VideoCodec       string    `json:"videoCodec,omitempty" xml:"videoCodec,attr"`
	AudioCodec       string    `json:"audioCodec,omitempty" xml:"audioCodec,attr"`
	Width            FlexInt   `json:"width,omitempty" xml:"width,attr"`
	Height           FlexInt   `json:"height,omitempty" xml:"height,attr"`
}

// ID returns the transcode's id: Key without "/transcode/sessions/".
func (t *TranscodeSession) ID() string {
	return t.Key[strings.LastIndexByte(t.Key, '/')+1:]
}

// List returns the sessions playing now (GET /status/sessions). Only the server's owner (admin)
// may list them: a shared user's token gets an error matching plexkit.ErrUnauthorized (or
// plexkit.ErrForbidden, depending on the server).
func (s *SessionsService) List(ctx context.Context) ([]Session, error) {
	out := []Session{} // empty, not nil, when nothing plays: it encodes as [], not null
	_, err := s.client.do(ctx, &request{
		method: http.MethodGet, path: "status/sessions",
		childKeys: itemNames, child: collect(&out, itemNames...),
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
