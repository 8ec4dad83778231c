package pmsemu

import "encoding/xml"

// Entries of the notification frames, with Plex's field names in the order captured frames
// show them (reference: plex-live.md §1.5–1.11). They are exported so that every part of the
// emulator publishes the same shapes through Server.Publish.

// PlaySessionStateEntry is the entry of a "playing" notification.
type PlaySessionStateEntry struct {
	SessionKey       string `json:"sessionKey"` // digits, as a string
	ClientIdentifier string `json:"clientIdentifier"`
	GUID             string `json:"guid"` // "" in every capture
	RatingKey        string `json:"ratingKey"`
	URL              string `json:"url"` // "" in every capture
	Key              string `json:"key"`
	ViewOffset       int    `json:"viewOffset"`
	PlayQueueItemID  int    `json:"playQueueItemID,omitempty"`
	State            string `json:"state"`
	// TranscodeSession is the bare transcode id, only while transcoding, never on "stopped".
	TranscodeSession string `json:"transcodeSession,omitempty"`
}

// TimelineEntry is the entry of a "timeline" notification (library changes). Ids are strings,
// as newer servers send them; Type and State are integers.
type TimelineEntry struct {
	Identifier    string `json:"identifier"`
	SectionID     string `json:"sectionID"`
	ItemID        string `json:"itemID"`
	ParentItemID  string `json:"parentItemID,omitempty"`
	RootItemID    string `json:"rootItemID,omitempty"`
	Type          int    `json:"type"`
	Title         string `json:"title"`
	State         int    `json:"state"`
	MetadataState string `json:"metadataState,omitempty"`
	MediaState    string `json:"mediaState,omitempty"`
	QueueSize     int    `json:"queueSize,omitempty"`
	UpdatedAt     int64  `json:"updatedAt"`
}

// ActivityEntry is the entry of an "activity" notification: Event is "started", "updated" or
// "ended", UUID equals Activity.UUID.
type ActivityEntry struct {
	Event    string   `json:"event"`
	UUID     string   `json:"uuid"`
	Activity Activity `json:"Activity"`
}

// Activity is an asynchronous operation of the server, as /activities lists it.
type Activity struct {
	UUID        string         `json:"uuid"`
	Type        string         `json:"type"` // e.g. "library.refresh.items"
	Cancellable bool           `json:"cancellable"`
	UserID      int            `json:"userID"`
	Title       string         `json:"title"`
	Subtitle    string         `json:"subtitle"`
	Progress    int            `json:"progress"` // 0..100, -1 indeterminate
	Context     map[string]any `json:"Context,omitempty"`
}

// StatusEntry is the entry of a "status" notification, e.g. {"Library scan complete", "",
// "LIBRARY_UPDATE"}.
type StatusEntry struct {
	Title            string `json:"title"`
	Description      string `json:"description"`
	NotificationName string `json:"notificationName"`
}

// ProgressEntry is the entry of a "progress" notification, e.g. "Scanning <file>".
type ProgressEntry struct {
	Message string `json:"message"`
}

// SettingEntry is the entry of a "preference" notification: the setting after the change.
// Value's JSON type follows Type (bool, int, text…).
type SettingEntry struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Summary  string `json:"summary"`
	Type     string `json:"type"`
	Default  any    `json:"default"`
	Value    any    `json:"value"`
	Hidden   bool   `json:"hidden"`
	Advanced bool   `json:"advanced"`
	Group    string `json:"group"`
}

// TranscodeSessionEntry is a transcode: the entry of transcodeSession.* notifications, and the
// TranscodeSession element of /status/sessions and /transcode/sessions.
type TranscodeSessionEntry struct {
	XMLName                 xml.Name `json:"-" xml:"TranscodeSession"`
	Key                     string   `json:"key" xml:"key,attr"`
	Throttled               xbool    `json:"throttled" xml:"throttled,attr"`
	Complete                xbool    `json:"complete" xml:"complete,attr"`
	Progress                float64  `json:"progress" xml:"progress,attr"`
	Size                    int64    `json:"size" xml:"size,attr"`
	Speed                   float64  `json:"speed" xml:"speed,attr"`
	Error                   xbool    `json:"error" xml:"error,attr"`
	Duration                int      `json:"duration" xml:"duration,attr"`
	Remaining               int      `json:"remaining" xml:"remaining,attr"`
	Context                 string   `json:"context" xml:"context,attr"`
	SourceVideoCodec        string   `json:"sourceVideoCodec,omitempty" xml:"sourceVideoCodec,attr,omitempty"`
	SourceAudioCodec        string   `json:"sourceAudioCodec,omitempty" xml:"sourceAudioCodec,attr,omitempty"`
	VideoDecision           string   `json:"videoDecision,omitempty" xml:"videoDecision,attr,omitempty"`
	AudioDecision           string   `json:"audioDecision" xml:"audioDecision,attr"`
	Protocol                string   `json:"protocol" xml:"protocol,attr"`
	Container               string   `json:"container" xml:"container,attr"`
	VideoCodec              string   `json:"videoCodec,omitempty" xml:"videoCodec,attr,omitempty"`
	AudioCodec              string   `json:"audioCodec" xml:"audioCodec,attr"`
	AudioChannels           int      `json:"audioChannels" xml:"audioChannels,attr"`
	Width                   int      `json:"width,omitempty" xml:"width,attr,omitempty"`
	Height                  int      `json:"height,omitempty" xml:"height,attr,omitempty"`
	TranscodeHwRequested    xbool    `json:"transcodeHwRequested" xml:"transcodeHwRequested,attr"`
	TranscodeHwFullPipeline xbool    `json:"transcodeHwFullPipeline" xml:"transcodeHwFullPipeline,attr"`
	TimeStamp               float64  `json:"timeStamp" xml:"timeStamp,attr"`
	MaxOffsetAvailable      *float64 `json:"maxOffsetAvailable,omitempty" xml:"maxOffsetAvailable,attr,omitempty"`
	MinOffsetAvailable      *float64 `json:"minOffsetAvailable,omitempty" xml:"minOffsetAvailable,attr,omitempty"`
}

// reportAnswer answers /:/timeline and /:/progress: size 0, or a termination.
type reportAnswer struct {
	XMLName         xml.Name `json:"-" xml:"MediaContainer"`
	Size            int      `json:"size" xml:"size,attr"`
	TerminationCode int      `json:"terminationCode,omitempty" xml:"terminationCode,attr,omitempty"`
	TerminationText string   `json:"terminationText,omitempty" xml:"terminationText,attr,omitempty"`
}

// decisionContainer answers a transcode decision.
type decisionContainer struct {
	XMLName                xml.Name `json:"-" xml:"MediaContainer"`
	Size                   int      `json:"size" xml:"size,attr"`
	GeneralDecisionCode    int      `json:"generalDecisionCode" xml:"generalDecisionCode,attr"`
	GeneralDecisionText    string   `json:"generalDecisionText" xml:"generalDecisionText,attr"`
	DirectPlayDecisionCode int      `json:"directPlayDecisionCode" xml:"directPlayDecisionCode,attr"`
	DirectPlayDecisionText string   `json:"directPlayDecisionText" xml:"directPlayDecisionText,attr"`
	TranscodeDecisionCode  int      `json:"transcodeDecisionCode,omitempty" xml:"transcodeDecisionCode,attr,omitempty"`
	TranscodeDecisionText  string   `json:"transcodeDecisionText,omitempty" xml:"transcodeDecisionText,attr,omitempty"`
}
