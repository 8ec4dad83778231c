package pms

import "time"

// Item is a library item (a movie, show, season, episode, artist, album, track or photo), as
// listed in a section, read by rating key, found by search, or playing in a session. PMS XML
// names the element after the kind (Video, Directory, Track, Photo); JSON lists them all under
// "Metadata". Both decode into Item; Type tells the kind.
type Item struct {
	RatingKey             FlexString `json:"ratingKey" xml:"ratingKey,attr"`
	Key                   string     `json:"key" xml:"key,attr"`
	GUID                  string     `json:"guid,omitempty" xml:"guid,attr"`
	Type                  string     `json:"type" xml:"type,attr"` // movie, show, season, episode, artist, album, track, photo, …
	Title                 string     `json:"title" xml:"title,attr"`
	TitleSort             string     `json:"titleSort,omitempty" xml:"titleSort,attr"`
	OriginalTitle         string     `json:"originalTitle,omitempty" xml:"originalTitle,attr"`
	Summary               string     `json:"summary,omitempty" xml:"summary,attr"`
	Tagline               string     `json:"tagline,omitempty" xml:"tagline,attr"`
	Studio                string     `json:"studio,omitempty" xml:"studio,attr"`
	ContentRating         string     `json:"contentRating,omitempty" xml:"contentRating,attr"`
	Rating                FlexFloat  `json:"rating,omitempty" xml:"rating,attr"`
	AudienceRating        FlexFloat  `json:"audienceRating,omitempty" xml:"audienceRating,attr"`
	UserRating            FlexFloat  `json:"userRating,omitempty" xml:"userRating,attr"`
	Year                  FlexInt    `json:"year,omitempty" xml:"year,attr"`
	OriginallyAvailableAt string     `json:"originallyAvailableAt,omitempty" xml:"originallyAvailableAt,attr"` // YYYY-MM-DD
	Duration              FlexInt    `json:"duration,omitempty" xml:"duration,attr"`                           // milliseconds
	Index                 FlexInt    `json:"index,omitempty" xml:"index,attr"`                                 // episode or track number
	ParentIndex           FlexInt    `json:"parentIndex,omitempty" xml:"parentIndex,attr"`                     // season or disc number
	ChildCount            FlexInt    `json:"childCount,omitempty" xml:"childCount,attr"`
	LeafCount             FlexInt    `json:"leafCount,omitempty" xml:"leafCount,attr"`
	ViewedLeafCount       FlexInt    `json:"viewedLeafCount,omitempty" xml:"viewedLeafCount,attr"`
	ViewCount             FlexInt    `json:"viewCount,omitempty" xml:"viewCount,attr"`
	ViewOffset            FlexInt    `json:"viewOffset,omitempty" xml:"viewOffset,attr"`     // milliseconds
	LastViewedAt          FlexInt    `json:"lastViewedAt,omitempty" xml:"lastViewedAt,attr"` // Unix seconds
	AddedAt               FlexInt    `json:"addedAt,omitempty" xml:"addedAt,attr"`           // Unix seconds
	UpdatedAt             FlexInt    `json:"updatedAt,omitempty" xml:"updatedAt,attr"`       // Unix seconds
	LastRatedAt           FlexInt    `json:"lastRatedAt,omitempty" xml:"lastRatedAt,attr"`   // Unix seconds
	Thumb                 string     `json:"thumb,omitempty" xml:"thumb,attr"`
	Art                   string     `json:"art,omitempty" xml:"art,attr"`
	Subtype               string     `json:"subtype,omitempty" xml:"subtype,attr"`     // a collection's item type
	ExtraType             FlexInt    `json:"extraType,omitempty" xml:"extraType,attr"` // extras: 1 trailer, …
	// PrimaryExtraKey is the key of the item's main extra (a movie's trailer), for Metadata.Extras.
	PrimaryExtraKey string `json:"primaryExtraKey,omitempty" xml:"primaryExtraKey,attr"`

	// PlaylistItemID and PlayQueueItemID identify the item's place in a playlist or a play
	// queue, where the same item may appear twice: what Move and Remove take.
	PlaylistItemID  FlexInt `json:"playlistItemID,omitempty" xml:"playlistItemID,attr"`
	PlayQueueItemID FlexInt `json:"playQueueItemID,omitempty" xml:"playQueueItemID,attr"`

	ParentRatingKey      FlexString `json:"parentRatingKey,omitempty" xml:"parentRatingKey,attr"`
	ParentKey            string     `json:"parentKey,omitempty" xml:"parentKey,attr"`
	ParentTitle          string     `json:"parentTitle,omitempty" xml:"parentTitle,attr"`
	GrandparentRatingKey FlexString `json:"grandparentRatingKey,omitempty" xml:"grandparentRatingKey,attr"`
	GrandparentKey       string     `json:"grandparentKey,omitempty" xml:"grandparentKey,attr"`
	GrandparentTitle     string     `json:"grandparentTitle,omitempty" xml:"grandparentTitle,attr"`

	LibrarySectionID    FlexString `json:"librarySectionID,omitempty" xml:"librarySectionID,attr"`
	LibrarySectionTitle string     `json:"librarySectionTitle,omitempty" xml:"librarySectionTitle,attr"`
	LibrarySectionKey   string     `json:"librarySectionKey,omitempty" xml:"librarySectionKey,attr"`

	Media     []Media `json:"Media,omitempty" xml:"Media"`
	Genres    []Tag   `json:"Genre,omitempty" xml:"Genre"`
	Directors []Tag   `json:"Director,omitempty" xml:"Director"`
	Writers   []Tag   `json:"Writer,omitempty" xml:"Writer"`
	Roles     []Tag   `json:"Role,omitempty" xml:"Role"`
	Countries []Tag   `json:"Country,omitempty" xml:"Country"`
	GUIDs     []GUID  `json:"Guid,omitempty" xml:"Guid"`

	Producers   []Tag    `json:"Producer,omitempty" xml:"Producer"`
	Labels      []Tag    `json:"Label,omitempty" xml:"Label"`
	Collections []Tag    `json:"Collection,omitempty" xml:"Collection"`
	Markers     []Marker `json:"Marker,omitempty" xml:"Marker"`
	// LockedFields are the fields an edit locked: the agent leaves them alone on a refresh.
	LockedFields []LockedField `json:"Field,omitempty" xml:"Field"`
	// Ratings are the Rating children (critic and audience scores). Declared so that JSON's
	// "Rating" array does not land in Rating: encoding/json matches keys case-insensitively.
	Ratings []RatingSource `json:"Rating,omitempty" xml:"Rating"`
}

// RatingSource is one score of an item, with where it comes from.
type RatingSource struct {
	Image string    `json:"image" xml:"image,attr"` // e.g. "imdb://image.rating"
	Value FlexFloat `json:"value" xml:"value,attr"`
	Type  string    `json:"type" xml:"type,attr"` // "critic" or "audience"
}

// Marker is a span of an item: an intro, credits, a commercial.
type Marker struct {
	ID              FlexInt  `json:"id" xml:"id,attr"`
	Type            string   `json:"type" xml:"type,attr"`                       // intro, credits, commercial, bookmark (a point)
	StartTimeOffset FlexInt  `json:"startTimeOffset" xml:"startTimeOffset,attr"` // milliseconds
	EndTimeOffset   FlexInt  `json:"endTimeOffset" xml:"endTimeOffset,attr"`     // milliseconds
	Final           FlexBool `json:"final,omitempty" xml:"final,attr"`
}

// LockedField is a field of an item that is locked against agents.
type LockedField struct {
	Name   string   `json:"name" xml:"name,attr"`
	Locked FlexBool `json:"locked" xml:"locked,attr"`
}

// DurationTime returns Duration as a time.Duration.
func (it *Item) DurationTime() time.Duration { return time.Duration(it.Duration) * time.Millisecond }

// Added returns AddedAt as a time (zero when unknown).
func (it *Item) Added() time.Time { return unixTime(it.AddedAt) }

// DisplayTitle returns the title a person would recognise: "Show – Episode" for an episode,
// "Artist – Track" for a track, the title otherwise.
func (it *Item) DisplayTitle() string {
	if it.GrandparentTitle != "" && it.Title != "" {
		return it.GrandparentTitle + " – " + it.Title
	}
	return it.Title
}

// Media is one version (file set) of an item.
type Media struct {
	ID              FlexInt   `json:"id" xml:"id,attr"`
	Duration        FlexInt   `json:"duration,omitempty" xml:"duration,attr"`
	Bitrate         FlexInt   `json:"bitrate,omitempty" xml:"bitrate,attr"` // kbit/s
	Width           FlexInt   `json:"width,omitempty" xml:"width,attr"`
	Height          FlexInt   `json:"height,omitempty" xml:"height,attr"`
	AspectRatio     FlexFloat `json:"aspectRatio,omitempty" xml:"aspectRatio,attr"`
	AudioChannels   FlexInt   `json:"audioChannels,omitempty" xml:"audioChannels,attr"`
	AudioCodec      string    `json:"audioCodec,omitempty" xml:"audioCodec,attr"`
	VideoCodec      string    `json:"videoCodec,omitempty" xml:"videoCodec,attr"`
	VideoResolution string    `json:"videoResolution,omitempty" xml:"videoResolution,attr"`
	VideoFrameRate  string    `json:"videoFrameRate,omitempty" xml:"videoFrameRate,attr"`
	Container       string    `json:"container,omitempty" xml:"container,attr"`
	Parts           []Part    `json:"Part,omitempty" xml:"Part"`
}

// Part is one file of a media version.
type Part struct {
	ID        FlexInt  `json:"id" xml:"id,attr"`
	Key       string   `json:"key" xml:"key,attr"`
	Duration  FlexInt  `json:"duration,omitempty" xml:"duration,attr"`
	File      string   `json:"file,omitempty" xml:"file,attr"`
	Size      FlexInt  `json:"size,omitempty" xml:"size,attr"` // bytes
	Container string   `json:"container,omitempty" xml:"container,attr"`
	Decision  string   `json:"decision,omitempty" xml:"decision,attr"` // in sessions: directplay, transcode, …
	Streams   []Stream `json:"Stream,omitempty" xml:"Stream"`
}

// Stream is a video, audio or subtitle stream of a part.
type Stream struct {
	ID           FlexInt  `json:"id" xml:"id,attr"`
	StreamType   FlexInt  `json:"streamType" xml:"streamType,attr"` // 1 video, 2 audio, 3 subtitle
	Codec        string   `json:"codec,omitempty" xml:"codec,attr"`
	Index        FlexInt  `json:"index,omitempty" xml:"index,attr"`
	Bitrate      FlexInt  `json:"bitrate,omitempty" xml:"bitrate,attr"`
	Language     string   `json:"language,omitempty" xml:"language,attr"`
	LanguageCode string   `json:"languageCode,omitempty" xml:"languageCode,attr"`
	DisplayTitle string   `json:"displayTitle,omitempty" xml:"displayTitle,attr"`
	Default      FlexBool `json:"default,omitempty" xml:"default,attr"`
	Selected     FlexBool `json:"selected,omitempty" xml:"selected,attr"`
}

// Tag is a genre, director, writer, actor or country of an item.
type Tag struct {
	ID   FlexInt `json:"id,omitempty" xml:"id,attr"`
	Tag  string  `json:"tag" xml:"tag,attr"`
	Role string  `json:"role,omitempty" xml:"role,attr"` // for actors: the character
}

// GUID is an external id of an item, e.g. "imdb://tt0111161".
type GUID struct {
	ID string `json:"id" xml:"id,attr"`
}

func unixTime(sec FlexInt) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0)
}

// itemNames are the names an item has as a child of a MediaContainer: the JSON key, and the
// XML elements a PMS names after the item's kind.
var itemNames = []string{"Metadata", "Video", "Directory", "Track", "Photo"}
