package pmsemu

import "encoding/xml"

// Wire structs: one set serves both encodings. In JSON a MediaContainer's children are arrays
// under their element name ("Metadata", "Directory", "Hub"); in XML scalars are attributes
// (booleans "1"/"0") and each child is an element, with metadata items named by their type
// (Video, Track, Photo, Directory), as a PMS writes them.

// xbool is a boolean written "1"/"0" in XML attributes and true/false in JSON.
type xbool bool

// MarshalXMLAttr implements xml.MarshalerAttr.
func (b xbool) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	v := "0"
	if b {
		v = "1"
	}
	return xml.Attr{Name: name, Value: v}, nil
}

type identityContainer struct {
	XMLName           xml.Name `json:"-" xml:"MediaContainer"`
	Size              int      `json:"size" xml:"size,attr"`
	APIVersion        string   `json:"apiVersion" xml:"apiVersion,attr"`
	Claimed           xbool    `json:"claimed" xml:"claimed,attr"`
	MachineIdentifier string   `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Version           string   `json:"version" xml:"version,attr"`
}

type rootContainer struct {
	XMLName                       xml.Name `json:"-" xml:"MediaContainer"`
	Size                          int      `json:"size" xml:"size,attr"`
	AllowCameraUpload             xbool    `json:"allowCameraUpload" xml:"allowCameraUpload,attr"`
	AllowChannelAccess            xbool    `json:"allowChannelAccess" xml:"allowChannelAccess,attr"`
	AllowMediaDeletion            xbool    `json:"allowMediaDeletion,omitempty" xml:"allowMediaDeletion,attr,omitempty"` // absent when off, as on a PMS
	AllowSharing                  xbool    `json:"allowSharing" xml:"allowSharing,attr"`
	AllowSync                     xbool    `json:"allowSync" xml:"allowSync,attr"`
	AllowTuners                   xbool    `json:"allowTuners" xml:"allowTuners,attr"`
	APIVersion                    string   `json:"apiVersion" xml:"apiVersion,attr"`
	BackgroundProcessing          xbool    `json:"backgroundProcessing" xml:"backgroundProcessing,attr"`
	Certificate                   xbool    `json:"certificate" xml:"certificate,attr"`
	CompanionProxy                xbool    `json:"companionProxy" xml:"companionProxy,attr"`
	CountryCode                   string   `json:"countryCode" xml:"countryCode,attr"`
	Diagnostics                   string   `json:"diagnostics" xml:"diagnostics,attr"`
	EventStream                   xbool    `json:"eventStream" xml:"eventStream,attr"`
	FriendlyName                  string   `json:"friendlyName" xml:"friendlyName,attr"`
	HubSearch                     xbool    `json:"hubSearch" xml:"hubSearch,attr"`
	ItemClusters                  xbool    `json:"itemClusters" xml:"itemClusters,attr"`
	Livetv                        int      `json:"livetv" xml:"livetv,attr"`
	MachineIdentifier             string   `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	MediaProviders                xbool    `json:"mediaProviders" xml:"mediaProviders,attr"`
	Multiuser                     xbool    `json:"multiuser" xml:"multiuser,attr"`
	MusicAnalysis                 int      `json:"musicAnalysis" xml:"musicAnalysis,attr"`
	MyPlex                        xbool    `json:"myPlex" xml:"myPlex,attr"`
	MyPlexMappingState            string   `json:"myPlexMappingState" xml:"myPlexMappingState,attr"`
	MyPlexSigninState             string   `json:"myPlexSigninState" xml:"myPlexSigninState,attr"`
	MyPlexSubscription            xbool    `json:"myPlexSubscription" xml:"myPlexSubscription,attr"`
	MyPlexUsername                string   `json:"myPlexUsername,omitempty" xml:"myPlexUsername,attr,omitempty"`
	OfflineTranscode              int      `json:"offlineTranscode" xml:"offlineTranscode,attr"`
	OwnerFeatures                 string   `json:"ownerFeatures" xml:"ownerFeatures,attr"`
	Platform                      string   `json:"platform" xml:"platform,attr"`
	PlatformVersion               string   `json:"platformVersion" xml:"platformVersion,attr"`
	PhotoAutoTag                  xbool    `json:"photoAutoTag" xml:"photoAutoTag,attr"`
	PluginHost                    xbool    `json:"pluginHost" xml:"pluginHost,attr"`
	PushNotifications             xbool    `json:"pushNotifications" xml:"pushNotifications,attr"`
	ReadOnlyLibraries             xbool    `json:"readOnlyLibraries" xml:"readOnlyLibraries,attr"`
	RequestParametersInCookie     xbool    `json:"requestParametersInCookie" xml:"requestParametersInCookie,attr"`
	StreamingBrainABRVersion      int      `json:"streamingBrainABRVersion" xml:"streamingBrainABRVersion,attr"`
	StreamingBrainVersion         int      `json:"streamingBrainVersion" xml:"streamingBrainVersion,attr"`
	Sync                          xbool    `json:"sync" xml:"sync,attr"`
	TranscoderActiveVideoSessions int      `json:"transcoderActiveVideoSessions" xml:"transcoderActiveVideoSessions,attr"`
	TranscoderAudio               xbool    `json:"transcoderAudio" xml:"transcoderAudio,attr"`
	TranscoderLyrics              xbool    `json:"transcoderLyrics" xml:"transcoderLyrics,attr"`
	TranscoderPhoto               xbool    `json:"transcoderPhoto" xml:"transcoderPhoto,attr"`
	TranscoderSubtitles           xbool    `json:"transcoderSubtitles" xml:"transcoderSubtitles,attr"`
	TranscoderVideo               xbool    `json:"transcoderVideo" xml:"transcoderVideo,attr"`
	TranscoderVideoBitrates       string   `json:"transcoderVideoBitrates" xml:"transcoderVideoBitrates,attr"`
	TranscoderVideoQualities      string   `json:"transcoderVideoQualities" xml:"transcoderVideoQualities,attr"`
	TranscoderVideoResolutions    string   `json:"transcoderVideoResolutions" xml:"transcoderVideoResolutions,attr"`
	UpdatedAt                     int64    `json:"updatedAt" xml:"updatedAt,attr"`
	Updater                       xbool    `json:"updater" xml:"updater,attr"`
	Version                       string   `json:"version" xml:"version,attr"`
	VoiceSearch                   xbool    `json:"voiceSearch" xml:"voiceSearch,attr"`
}

// directory is an entry of GET /'s Directory list.
type directory struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	Count   int      `json:"count" xml:"count,attr"`
	Key     string   `json:"key" xml:"key,attr"`
	Title   string   `json:"title" xml:"title,attr"`
}

type sectionsContainer struct {
	XMLName    xml.Name `json:"-" xml:"MediaContainer"`
	Size       int      `json:"size" xml:"size,attr"`
	AllowSync  xbool    `json:"allowSync" xml:"allowSync,attr"`
	Identifier string   `json:"identifier" xml:"identifier,attr"`
	Title1     string   `json:"title1" xml:"title1,attr"`
}

type librarySection struct {
	XMLName          xml.Name   `json:"-" xml:"Directory"`
	AllowSync        xbool      `json:"allowSync" xml:"allowSync,attr"`
	Art              string     `json:"art" xml:"art,attr"`
	Composite        string     `json:"composite" xml:"composite,attr"`
	Filters          xbool      `json:"filters" xml:"filters,attr"`
	Refreshing       xbool      `json:"refreshing" xml:"refreshing,attr"`
	Thumb            string     `json:"thumb" xml:"thumb,attr"`
	Key              string     `json:"key" xml:"key,attr"`
	Type             string     `json:"type" xml:"type,attr"`
	Title            string     `json:"title" xml:"title,attr"`
	Agent            string     `json:"agent" xml:"agent,attr"`
	Scanner          string     `json:"scanner" xml:"scanner,attr"`
	Language         string     `json:"language" xml:"language,attr"`
	UUID             string     `json:"uuid" xml:"uuid,attr"`
	UpdatedAt        int64      `json:"updatedAt" xml:"updatedAt,attr"`
	CreatedAt        int64      `json:"createdAt" xml:"createdAt,attr"`
	ScannedAt        int64      `json:"scannedAt" xml:"scannedAt,attr"`
	Content          xbool      `json:"content" xml:"content,attr"`
	Directory        xbool      `json:"directory" xml:"directory,attr"`
	ContentChangedAt int64      `json:"contentChangedAt" xml:"contentChangedAt,attr"`
	Hidden           xbool      `json:"hidden" xml:"hidden,attr"`
	Location         []location `json:"Location" xml:"Location"`
}

type location struct {
	ID   int    `json:"id" xml:"id,attr"`
	Path string `json:"path" xml:"path,attr"`
}

// metadataContainer heads a list of metadata items: a section's items, one item, sessions,
// history. Fields a given list does not use stay empty and are left out.
type metadataContainer struct {
	XMLName             xml.Name `json:"-" xml:"MediaContainer"`
	Size                int      `json:"size" xml:"size,attr"`
	TotalSize           *int     `json:"totalSize,omitempty" xml:"totalSize,attr,omitempty"`
	Offset              *int     `json:"offset,omitempty" xml:"offset,attr,omitempty"`
	AllowSync           *xbool   `json:"allowSync,omitempty" xml:"allowSync,attr,omitempty"`
	Identifier          string   `json:"identifier,omitempty" xml:"identifier,attr,omitempty"`
	LibrarySectionID    *int     `json:"librarySectionID,omitempty" xml:"librarySectionID,attr,omitempty"`
	LibrarySectionTitle string   `json:"librarySectionTitle,omitempty" xml:"librarySectionTitle,attr,omitempty"`
	LibrarySectionUUID  string   `json:"librarySectionUUID,omitempty" xml:"librarySectionUUID,attr,omitempty"`
	MediaTagPrefix      string   `json:"mediaTagPrefix,omitempty" xml:"mediaTagPrefix,attr,omitempty"`
	Title1              string   `json:"title1,omitempty" xml:"title1,attr,omitempty"`
	Title2              string   `json:"title2,omitempty" xml:"title2,attr,omitempty"`
	ViewGroup           string   `json:"viewGroup,omitempty" xml:"viewGroup,attr,omitempty"`
	Content             string   `json:"content,omitempty" xml:"content,attr,omitempty"`
	Key                 string   `json:"key,omitempty" xml:"key,attr,omitempty"`
	ParentTitle         string   `json:"parentTitle,omitempty" xml:"parentTitle,attr,omitempty"`
	ParentIndex         int      `json:"parentIndex,omitempty" xml:"parentIndex,attr,omitempty"`
	ParentYear          int      `json:"parentYear,omitempty" xml:"parentYear,attr,omitempty"`
	// Meta describes the section's types, filters, sorts and fields (includeMeta=1).
	Meta *metaElem `json:"Meta,omitempty" xml:"Meta,omitempty"`
}

// metadata is one library item, as listed in a section, fetched by rating key, playing in a
// session, or remembered in history. Its XML element name depends on its type.
type metadata struct {
	element string

	RatingKey             string   `json:"ratingKey" xml:"ratingKey,attr"`
	Key                   string   `json:"key" xml:"key,attr"`
	GUID                  string   `json:"guid,omitempty" xml:"guid,attr,omitempty"`
	Type                  string   `json:"type" xml:"type,attr"`
	Title                 string   `json:"title" xml:"title,attr"`
	TitleSort             string   `json:"titleSort,omitempty" xml:"titleSort,attr,omitempty"`
	OriginalTitle         string   `json:"originalTitle,omitempty" xml:"originalTitle,attr,omitempty"`
	Slug                  string   `json:"slug,omitempty" xml:"slug,attr,omitempty"`
	Studio                string   `json:"studio,omitempty" xml:"studio,attr,omitempty"`
	ContentRating         string   `json:"contentRating,omitempty" xml:"contentRating,attr,omitempty"`
	Tagline               string   `json:"tagline,omitempty" xml:"tagline,attr,omitempty"`
	GrandparentTitle      string   `json:"grandparentTitle,omitempty" xml:"grandparentTitle,attr,omitempty"`
	GrandparentRatingKey  string   `json:"grandparentRatingKey,omitempty" xml:"grandparentRatingKey,attr,omitempty"`
	GrandparentKey        string   `json:"grandparentKey,omitempty" xml:"grandparentKey,attr,omitempty"`
	GrandparentThumb      string   `json:"grandparentThumb,omitempty" xml:"grandparentThumb,attr,omitempty"`
	ParentTitle           string   `json:"parentTitle,omitempty" xml:"parentTitle,attr,omitempty"`
	ParentRatingKey       string   `json:"parentRatingKey,omitempty" xml:"parentRatingKey,attr,omitempty"`
	ParentKey             string   `json:"parentKey,omitempty" xml:"parentKey,attr,omitempty"`
	ParentThumb           string   `json:"parentThumb,omitempty" xml:"parentThumb,attr,omitempty"`
	Index                 int      `json:"index,omitempty" xml:"index,attr,omitempty"`
	ParentIndex           int      `json:"parentIndex,omitempty" xml:"parentIndex,attr,omitempty"`
	Summary               string   `json:"summary,omitempty" xml:"summary,attr,omitempty"`
	Year                  int      `json:"year,omitempty" xml:"year,attr,omitempty"`
	OriginallyAvailableAt string   `json:"originallyAvailableAt,omitempty" xml:"originallyAvailableAt,attr,omitempty"`
	Duration              int      `json:"duration,omitempty" xml:"duration,attr,omitempty"`
	Rating                float64  `json:"rating,omitempty" xml:"rating,attr,omitempty"`
	AudienceRating        float64  `json:"audienceRating,omitempty" xml:"audienceRating,attr,omitempty"`
	RatingImage           string   `json:"ratingImage,omitempty" xml:"ratingImage,attr,omitempty"`
	AudienceRatingImage   string   `json:"audienceRatingImage,omitempty" xml:"audienceRatingImage,attr,omitempty"`
	ChildCount            int      `json:"childCount,omitempty" xml:"childCount,attr,omitempty"`
	LeafCount             int      `json:"leafCount,omitempty" xml:"leafCount,attr,omitempty"`
	ViewedLeafCount       *int     `json:"viewedLeafCount,omitempty" xml:"viewedLeafCount,attr,omitempty"`
	Thumb                 string   `json:"thumb,omitempty" xml:"thumb,attr,omitempty"`
	Art                   string   `json:"art,omitempty" xml:"art,attr,omitempty"`
	AddedAt               int64    `json:"addedAt,omitempty" xml:"addedAt,attr,omitempty"`
	UpdatedAt             int64    `json:"updatedAt,omitempty" xml:"updatedAt,attr,omitempty"`
	ViewCount             int      `json:"viewCount,omitempty" xml:"viewCount,attr,omitempty"`
	LastViewedAt          int64    `json:"lastViewedAt,omitempty" xml:"lastViewedAt,attr,omitempty"`
	UserRating            *float64 `json:"userRating,omitempty" xml:"userRating,attr,omitempty"`
	LastRatedAt           int64    `json:"lastRatedAt,omitempty" xml:"lastRatedAt,attr,omitempty"`
	LibrarySectionID      string   `json:"librarySectionID,omitempty" xml:"librarySectionID,attr,omitempty"`
	LibrarySectionTitle   string   `json:"librarySectionTitle,omitempty" xml:"librarySectionTitle,attr,omitempty"`
	LibrarySectionKey     string   `json:"librarySectionKey,omitempty" xml:"librarySectionKey,attr,omitempty"`

	// Movies name their trailer; an extra (type clip) says what kind it is (extras.go).
	PrimaryExtraKey string `json:"primaryExtraKey,omitempty" xml:"primaryExtraKey,attr,omitempty"`
	ExtraType       int    `json:"extraType,omitempty" xml:"extraType,attr,omitempty"`
	Subtype         string `json:"subtype,omitempty" xml:"subtype,attr,omitempty"`

	// Sessions (and every item with a view offset).
	SessionKey string `json:"sessionKey,omitempty" xml:"sessionKey,attr,omitempty"`
	ViewOffset int    `json:"viewOffset,omitempty" xml:"viewOffset,attr,omitempty"`

	// History.
	HistoryKey string `json:"historyKey,omitempty" xml:"historyKey,attr,omitempty"`
	ViewedAt   int64  `json:"viewedAt,omitempty" xml:"viewedAt,attr,omitempty"`
	AccountID  int    `json:"accountID,omitempty" xml:"accountID,attr,omitempty"`
	DeviceID   int    `json:"deviceID,omitempty" xml:"deviceID,attr,omitempty"`

	// Autocompletion: where the title matched ("start,end").
	TitleQueryRange string `json:"title.queryRange,omitempty" xml:"title.queryRange,attr,omitempty"`

	Media      []media `json:"Media,omitempty" xml:"Media"`
	Genre      []tag   `json:"Genre,omitempty" xml:"Genre"`
	Director   []tag   `json:"Director,omitempty" xml:"Director"`
	Writer     []tag   `json:"Writer,omitempty" xml:"Writer"`
	Role       []tag   `json:"Role,omitempty" xml:"Role"`
	Country    []tag   `json:"Country,omitempty" xml:"Country"`
	Label      []tag   `json:"Label,omitempty" xml:"Label"`
	Collection []tag   `json:"Collection,omitempty" xml:"Collection"`
	Guid       []guid  `json:"Guid,omitempty" xml:"Guid"`
	// Ratings are the Rating children (JSON key "Rating", distinct from the rating attribute).
	Ratings  []ratingElem `json:"Rating,omitempty" xml:"Rating"`
	Location []folder     `json:"Location,omitempty" xml:"Location"`
	// Marker (includeMarkers=1) are the item's markers; Extras (includeExtras=1) its extras.
	Marker []markerElem `json:"Marker,omitempty" xml:"Marker"`
	Extras *nested      `json:"Extras,omitempty" xml:"Extras"`
	// OnDeck (includeOnDeck=1) holds the episode to watch next; Children (includeChildren=1)
	// the item's children.
	OnDeck   *nested  `json:"OnDeck,omitempty" xml:"OnDeck"`
	Children *nested  `json:"Children,omitempty" xml:"Children"`
	User     *user    `json:"User,omitempty" xml:"User"`
	Player   *player  `json:"Player,omitempty" xml:"Player"`
	Session  *session `json:"Session,omitempty" xml:"Session"`

	TranscodeSession *TranscodeSessionEntry `json:"TranscodeSession,omitempty" xml:"TranscodeSession"`
}

// MarshalXML implements xml.Marshaler: the element is named for the item's type.
func (m metadata) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain metadata // without this method, so EncodeElement does not recurse
	start.Name.Local = m.element
	return e.EncodeElement(plain(m), start)
}

// tag is a Genre, Director, Writer, Role, Country, Label or Collection child. List views carry
// the tag alone; detail views add id and filter (and role, for actors).
type tag struct {
	ID     int    `json:"id,omitempty" xml:"id,attr,omitempty"`
	Filter string `json:"filter,omitempty" xml:"filter,attr,omitempty"`
	Tag    string `json:"tag" xml:"tag,attr"`
	Role   string `json:"role,omitempty" xml:"role,attr,omitempty"`
}

// nested is a list of items inside an item.
type nested struct {
	Size     int        `json:"size" xml:"size,attr"`
	Metadata []metadata `json:"Metadata,omitempty" xml:"Metadata"`
}

// folder is where a show's or artist's files are.
type folder struct {
	Path string `json:"path" xml:"path,attr"`
}

type guid struct {
	ID string `json:"id" xml:"id,attr"`
}

type ratingElem struct {
	Image string  `json:"image" xml:"image,attr"`
	Value float64 `json:"value" xml:"value,attr"`
	Type  string  `json:"type" xml:"type,attr"`
}

type media struct {
	ID              int     `json:"id" xml:"id,attr"`
	Duration        int     `json:"duration,omitempty" xml:"duration,attr,omitempty"`
	Bitrate         int     `json:"bitrate,omitempty" xml:"bitrate,attr,omitempty"`
	Width           int     `json:"width,omitempty" xml:"width,attr,omitempty"`
	Height          int     `json:"height,omitempty" xml:"height,attr,omitempty"`
	AspectRatio     float64 `json:"aspectRatio,omitempty" xml:"aspectRatio,attr,omitempty"`
	AudioChannels   int     `json:"audioChannels,omitempty" xml:"audioChannels,attr,omitempty"`
	AudioCodec      string  `json:"audioCodec,omitempty" xml:"audioCodec,attr,omitempty"`
	AudioProfile    string  `json:"audioProfile,omitempty" xml:"audioProfile,attr,omitempty"`
	VideoCodec      string  `json:"videoCodec,omitempty" xml:"videoCodec,attr,omitempty"`
	VideoProfile    string  `json:"videoProfile,omitempty" xml:"videoProfile,attr,omitempty"`
	VideoResolution string  `json:"videoResolution,omitempty" xml:"videoResolution,attr,omitempty"`
	VideoFrameRate  string  `json:"videoFrameRate,omitempty" xml:"videoFrameRate,attr,omitempty"`
	Container       string  `json:"container,omitempty" xml:"container,attr,omitempty"`
	Part            []part  `json:"Part" xml:"Part"`
}

type part struct {
	ID        int      `json:"id" xml:"id,attr"`
	Key       string   `json:"key" xml:"key,attr"`
	Duration  int      `json:"duration,omitempty" xml:"duration,attr,omitempty"`
	File      string   `json:"file" xml:"file,attr"`
	Size      int64    `json:"size" xml:"size,attr"`
	Container string   `json:"container" xml:"container,attr"`
	Decision  string   `json:"decision,omitempty" xml:"decision,attr,omitempty"`
	Stream    []stream `json:"Stream,omitempty" xml:"Stream"`
}

type stream struct {
	ID                   int     `json:"id" xml:"id,attr"`
	StreamType           int     `json:"streamType" xml:"streamType,attr"`
	Index                int     `json:"index" xml:"index,attr"`
	Codec                string  `json:"codec" xml:"codec,attr"`
	Default              xbool   `json:"default,omitempty" xml:"default,attr,omitempty"`
	Selected             xbool   `json:"selected,omitempty" xml:"selected,attr,omitempty"`
	Forced               xbool   `json:"forced,omitempty" xml:"forced,attr,omitempty"`
	DisplayTitle         string  `json:"displayTitle" xml:"displayTitle,attr"`
	ExtendedDisplayTitle string  `json:"extendedDisplayTitle" xml:"extendedDisplayTitle,attr"`
	Language             string  `json:"language,omitempty" xml:"language,attr,omitempty"`
	LanguageCode         string  `json:"languageCode,omitempty" xml:"languageCode,attr,omitempty"`
	Bitrate              int     `json:"bitrate,omitempty" xml:"bitrate,attr,omitempty"`
	Width                int     `json:"width,omitempty" xml:"width,attr,omitempty"`
	Height               int     `json:"height,omitempty" xml:"height,attr,omitempty"`
	CodedWidth           int     `json:"codedWidth,omitempty" xml:"codedWidth,attr,omitempty"`
	CodedHeight          int     `json:"codedHeight,omitempty" xml:"codedHeight,attr,omitempty"`
	FrameRate            float64 `json:"frameRate,omitempty" xml:"frameRate,attr,omitempty"`
	Profile              string  `json:"profile,omitempty" xml:"profile,attr,omitempty"`
	Channels             int     `json:"channels,omitempty" xml:"channels,attr,omitempty"`
	SamplingRate         int     `json:"samplingRate,omitempty" xml:"samplingRate,attr,omitempty"`
	AudioChannelLayout   string  `json:"audioChannelLayout,omitempty" xml:"audioChannelLayout,attr,omitempty"`
}

// user, player and session describe who plays what where, in GET /status/sessions.
type user struct {
	ID    string `json:"id" xml:"id,attr"`
	Title string `json:"title" xml:"title,attr"`
	Thumb string `json:"thumb,omitempty" xml:"thumb,attr,omitempty"`
}

type player struct {
	Address             string `json:"address" xml:"address,attr"`
	MachineIdentifier   string `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Model               string `json:"model" xml:"model,attr"`
	Platform            string `json:"platform" xml:"platform,attr"`
	PlatformVersion     string `json:"platformVersion" xml:"platformVersion,attr"`
	Product             string `json:"product" xml:"product,attr"`
	RemotePublicAddress string `json:"remotePublicAddress" xml:"remotePublicAddress,attr"`
	State               string `json:"state" xml:"state,attr"`
	Title               string `json:"title" xml:"title,attr"`
	Vendor              string `json:"vendor" xml:"vendor,attr"`
	Version             string `json:"version" xml:"version,attr"`
	Local               xbool  `json:"local" xml:"local,attr"`
	Relayed             xbool  `json:"relayed" xml:"relayed,attr"`
	Secure              xbool  `json:"secure" xml:"secure,attr"`
	UserID              int    `json:"userID" xml:"userID,attr"`
}

type session struct {
	ID        string `json:"id" xml:"id,attr"`
	Bandwidth int    `json:"bandwidth" xml:"bandwidth,attr"`
	Location  string `json:"location" xml:"location,attr"`
}

type hubsContainer struct {
	XMLName xml.Name `json:"-" xml:"MediaContainer"`
	Size    int      `json:"size" xml:"size,attr"`
}

// hub is one group of search results: the matches of one library type.
type hub struct {
	XMLName       xml.Name   `json:"-" xml:"Hub"`
	Context       string     `json:"context,omitempty" xml:"context,attr,omitempty"`
	Style         string     `json:"style,omitempty" xml:"style,attr,omitempty"`
	HubIdentifier string     `json:"hubIdentifier" xml:"hubIdentifier,attr"`
	Title         string     `json:"title" xml:"title,attr"`
	Type          string     `json:"type" xml:"type,attr"`
	Size          int        `json:"size" xml:"size,attr"`
	More          xbool      `json:"more" xml:"more,attr"`
	Metadata      []metadata `json:"Metadata,omitempty" xml:"Metadata"`
}

type tokenContainer struct {
	XMLName xml.Name `json:"-" xml:"MediaContainer"`
	Size    int      `json:"size" xml:"size,attr"`
	Token   string   `json:"token" xml:"token,attr"`
}

type resourcesContainer struct {
	XMLName xml.Name `json:"-" xml:"MediaContainer"`
	Size    int      `json:"size" xml:"size,attr"`
	Device  device   `json:"Device" xml:"Device"`
}

type device struct {
	Name             string       `json:"name" xml:"name,attr"`
	ClientIdentifier string       `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	AccessToken      string       `json:"accessToken" xml:"accessToken,attr"`
	Connection       []connection `json:"Connection" xml:"Connection"`
}

type connection struct {
	Protocol string `json:"protocol" xml:"protocol,attr"`
	Address  string `json:"address" xml:"address,attr"`
	URI      string `json:"uri" xml:"uri,attr"`
	Port     int    `json:"port" xml:"port,attr"`
	Local    xbool  `json:"local" xml:"local,attr"`
	Relay    xbool  `json:"relay" xml:"relay,attr"`
}
