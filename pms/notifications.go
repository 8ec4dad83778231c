package pms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Notification types a server sends (the "type" of a frame). Unknown types are passed on with
// only Type and Raw set: servers add types over time.
const (
	TypePlaying                 = "playing"
	TypeTimeline                = "timeline"
	TypeActivity                = "activity"
	TypeStatus                  = "status"
	TypeProgress                = "progress"
	TypeReachability            = "reachability"
	TypeTranscodeSessionStart   = "transcodeSession.start"
	TypeTranscodeSessionUpdate  = "transcodeSession.update"
	TypeTranscodeSessionEnd     = "transcodeSession.end"
	TypePreference              = "preference"
	TypeBackgroundProcessingQue = "backgroundProcessingQueue"
	TypeLog                     = "log"

	// TypeConnected is not sent by servers: Client.Notifications yields it each time a stream
	// opens, with Stream set, so a consumer knows when to catch up on what it missed.
	TypeConnected = "plexkit.connected"
)

// Notification is one event from a server's notification stream: its Type and the entries of
// the field that type uses (a server sends one entry per frame, but the format allows more).
type Notification struct {
	Type string `json:"type"`

	Playing      []PlayingNotification      `json:"PlaySessionStateNotification,omitempty"`
	Timeline     []TimelineEntry            `json:"TimelineEntry,omitempty"`
	Activity     []ActivityNotification     `json:"ActivityNotification,omitempty"`
	Status       []StatusNotification       `json:"StatusNotification,omitempty"`
	Progress     []ProgressNotification     `json:"ProgressNotification,omitempty"`
	Reachability []ReachabilityNotification `json:"ReachabilityNotification,omitempty"`
	Transcode    []TranscodeSession         `json:"TranscodeSession,omitempty"`
	Setting      []Setting                  `json:"Setting,omitempty"`

	// Raw is the frame as received (the NotificationContainer's value, or an event's data),
	// for types this package does not decode and fields it does not know. It is the
	// Notification's own copy.
	Raw json.RawMessage `json:"-"`

	// Stream is set on TypeConnected only.
	Stream *StreamInfo `json:"stream,omitempty"`
}

// StreamInfo describes a notification stream that just opened.
type StreamInfo struct {
	// Transport is "websocket" or "sse".
	Transport string `json:"transport"`
	// Resumed is true when this is a reconnection: events may have been missed since the
	// previous stream ended.
	Resumed bool `json:"resumed"`
}

// PlayingNotification reports a playback session's state: one per timeline report of the
// player, and one "stopped" when it ends.
type PlayingNotification struct {
	SessionKey       FlexString `json:"sessionKey"`
	ClientIdentifier string     `json:"clientIdentifier,omitempty"`
	GUID             string     `json:"guid,omitempty"`
	RatingKey        FlexString `json:"ratingKey"`
	URL              string     `json:"url,omitempty"`
	Key              string     `json:"key"`
	ViewOffset       FlexInt    `json:"viewOffset"` // milliseconds
	PlayQueueItemID  FlexInt    `json:"playQueueItemID,omitempty"`
	PlayQueueID      FlexInt    `json:"playQueueID,omitempty"`
	State            string     `json:"state"` // playing, paused, buffering, stopped, error
	// TranscodeSession is the transcode's id (the tail of TranscodeSession.Key) while the
	// session transcodes.
	TranscodeSession string `json:"transcodeSession,omitempty"`
}

// TimelineEntry reports a change of a library item: created (State 0, MetadataState
// "created"), processed (5), deleted (9, "deleted"), and the steps between.
type TimelineEntry struct {
	Identifier    string     `json:"identifier"`
	SectionID     FlexString `json:"sectionID"`
	ItemID        FlexString `json:"itemID"`
	ParentItemID  FlexString `json:"parentItemID,omitempty"`
	RootItemID    FlexString `json:"rootItemID,omitempty"`
	Type          FlexInt    `json:"type"` // 1 movie, 2 show, 3 season, 4 episode, 8 artist, 9 album, 10 track, …
	Title         string     `json:"title"`
	State         FlexInt    `json:"state"`
	MetadataState string     `json:"metadataState,omitempty"`
	MediaState    string     `json:"mediaState,omitempty"`
	QueueSize     FlexInt    `json:"queueSize,omitempty"`
	UpdatedAt     FlexInt    `json:"updatedAt,omitempty"`
}

// ActivityNotification reports an activity's progress: Event is started, updated or ended.
type ActivityNotification struct {
	Event    string   `json:"event"`
	UUID     string   `json:"uuid"`
	Activity Activity `json:"Activity"`
}

// StatusNotification is a server status message, e.g. "Library scan complete".
type StatusNotification struct {
	Title            string `json:"title"`
	Description      string `json:"description"`
	NotificationName string `json:"notificationName"`
}

// ProgressNotification is a progress message, e.g. "Scanning <file>".
type ProgressNotification struct {
	Message string `json:"message"`
}

// ReachabilityNotification reports whether plex.tv can reach the server.
type ReachabilityNotification struct {
	Reachability FlexBool `json:"reachability"`
}

// childKey is the JSON key of each type's entries.
var childKey = map[string]string{
	TypePlaying:                "PlaySessionStateNotification",
	TypeTimeline:               "TimelineEntry",
	TypeActivity:               "ActivityNotification",
	TypeStatus:                 "StatusNotification",
	TypeProgress:               "ProgressNotification",
	TypeReachability:           "ReachabilityNotification",
	TypeTranscodeSessionStart:  "TranscodeSession",
	TypeTranscodeSessionUpdate: "TranscodeSession",
	TypeTranscodeSessionEnd:    "TranscodeSession",
	TypePreference:             "Setting",
}

// DecodeError is a frame that could not be decoded. The stream goes on after it.
type DecodeError struct {
	Frame string // the start of the frame
	Err   error
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("pms: notification %q cannot be decoded: %v", e.Frame, e.Err)
}

// Unwrap returns Err.
func (e *DecodeError) Unwrap() error { return e.Err }

func decodeError(frame []byte, err error) error {
	const show = 120
	s := string(frame)
	if len(s) > show {
		s = s[:show] + "…"
	}
	return &DecodeError{Frame: s, Err: err}
}

// DecodeNotification decodes one websocket frame:
// {"NotificationContainer":{"type":T,"size":N,"<Child>":[…]}}; a frame without the container
// (the bare object) is accepted too. A child that is an object instead of an array is taken as
// one entry.
func DecodeNotification(frame []byte) (Notification, error) {
	var outer struct {
		NotificationContainer json.RawMessage
	}
	if err := json.Unmarshal(frame, &outer); err != nil {
		return Notification{}, decodeError(frame, err)
	}
	body := outer.NotificationContainer
	if body == nil {
		body = frame
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return Notification{}, decodeError(frame, err)
	}
	var n Notification
	if err := json.Unmarshal(fields["type"], &n.Type); err != nil || n.Type == "" {
		return Notification{}, decodeError(frame, errors.New(`no "type"`))
	}
	n.Raw = body
	if err := n.decodeChild(fields); err != nil {
		return n, decodeError(frame, err)
	}
	return n, nil
}

// decodeSSE decodes one server-sent event: its name is the type and its data
// {"<Child>":{…}} (a full NotificationContainer is accepted too).
func decodeSSE(event string, data []byte) (Notification, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return Notification{}, decodeError(data, err)
	}
	if _, ok := fields["NotificationContainer"]; ok {
		return DecodeNotification(data)
	}
	n := Notification{Type: event, Raw: data}
	if err := n.decodeChild(fields); err != nil {
		return n, decodeError(data, err)
	}
	return n, nil
}

// decodeChild decodes the entries of n.Type from the frame's remaining fields.
func (n *Notification) decodeChild(fields map[string]json.RawMessage) error {
	raw, known := fields[childKey[n.Type]]
	if !known {
		return nil // an unknown type, or a known one under another key: Raw has it
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		raw = append(append([]byte{'['}, raw...), ']')
	}
	var dst any
	switch n.Type {
	case TypePlaying:
		dst = &n.Playing
	case TypeTimeline:
		dst = &n.Timeline
	case TypeActivity:
		dst = &n.Activity
	case TypeStatus:
		dst = &n.Status
	case TypeProgress:
		dst = &n.Progress
	case TypeReachability:
		dst = &n.Reachability
	case TypeTranscodeSessionStart, TypeTranscodeSessionUpdate, TypeTranscodeSessionEnd:
		dst = &n.Transcode
	case TypePreference:
		dst = &n.Setting
	}
	return json.Unmarshal(raw, dst)
}
