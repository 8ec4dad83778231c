package pms

import (
	"context"
	"net/http"
)

// ServerService reads what a server says about itself: GET /identity and GET /.
type ServerService service

// Identity is what GET /identity answers, without a token: which server this is.
type Identity struct {
	// MachineIdentifier is the server's id, the clientIdentifier of its plex.tv resource.
	MachineIdentifier string `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	// Version is the PMS version, e.g. "1.41.6.9685-d301f511a".
	Version string `json:"version" xml:"version,attr"`
	// APIVersion is the PMS API version; newer servers only.
	APIVersion string `json:"apiVersion" xml:"apiVersion,attr"`
	// Claimed is false until the server is signed in to a plex.tv account.
	Claimed FlexBool `json:"claimed" xml:"claimed,attr"`
}

// Identity returns the server's identity. It is the one call that sends no token, so it is
// safe against a server not yet known to be the right one.
func (s *ServerService) Identity(ctx context.Context) (*Identity, error) {
	id := new(Identity)
	_, err := s.client.do(ctx, &request{method: http.MethodGet, path: "identity", noToken: true, head: id})
	if err != nil {
		return nil, err
	}
	return id, nil
}

// ServerInfo is the server's configuration and capabilities, from GET /.
type ServerInfo struct {
	FriendlyName                  string      `json:"friendlyName" xml:"friendlyName,attr"`
	MachineIdentifier             string      `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Version                       string      `json:"version" xml:"version,attr"`
	Platform                      string      `json:"platform" xml:"platform,attr"`
	PlatformVersion               string      `json:"platformVersion" xml:"platformVersion,attr"`
	CountryCode                   string      `json:"countryCode" xml:"countryCode,attr"`
	MyPlex                        FlexBool    `json:"myPlex" xml:"myPlex,attr"`
	MyPlexUsername                string      `json:"myPlexUsername" xml:"myPlexUsername,attr"`
	MyPlexSigninState             string      `json:"myPlexSigninState" xml:"myPlexSigninState,attr"`
	MyPlexMappingState            string      `json:"myPlexMappingState" xml:"myPlexMappingState,attr"`
	MyPlexSubscription            FlexBool    `json:"myPlexSubscription" xml:"myPlexSubscription,attr"`
	OwnerFeatures                 string      `json:"ownerFeatures" xml:"ownerFeatures,attr"` // comma-separated
	AllowSharing                  FlexBool    `json:"allowSharing" xml:"allowSharing,attr"`
	AllowSync                     FlexBool    `json:"allowSync" xml:"allowSync,attr"`
	AllowMediaDeletion            FlexBool    `json:"allowMediaDeletion" xml:"allowMediaDeletion,attr"`
	AllowCameraUpload             FlexBool    `json:"allowCameraUpload" xml:"allowCameraUpload,attr"`
	AllowChannelAccess            FlexBool    `json:"allowChannelAccess" xml:"allowChannelAccess,attr"`
	AllowTuners                   FlexBool    `json:"allowTuners" xml:"allowTuners,attr"`
	Multiuser                     FlexBool    `json:"multiuser" xml:"multiuser,attr"`
	Certificate                   FlexBool    `json:"certificate" xml:"certificate,attr"`
	HubSearch                     FlexBool    `json:"hubSearch" xml:"hubSearch,attr"`
	EventStream                   FlexBool    `json:"eventStream" xml:"eventStream,attr"`
	Sync                          FlexBool    `json:"sync" xml:"sync,attr"`
	Updater                       FlexBool    `json:"updater" xml:"updater,attr"`
	TranscoderVideo               FlexBool    `json:"transcoderVideo" xml:"transcoderVideo,attr"`
	TranscoderAudio               FlexBool    `json:"transcoderAudio" xml:"transcoderAudio,attr"`
	TranscoderPhoto               FlexBool    `json:"transcoderPhoto" xml:"transcoderPhoto,attr"`
	TranscoderSubtitles           FlexBool    `json:"transcoderSubtitles" xml:"transcoderSubtitles,attr"`
	TranscoderActiveVideoSessions FlexInt     `json:"transcoderActiveVideoSessions" xml:"transcoderActiveVideoSessions,attr"`
	TranscoderVideoBitrates       string      `json:"transcoderVideoBitrates" xml:"transcoderVideoBitrates,attr"`
	TranscoderVideoQualities      string      `json:"transcoderVideoQualities" xml:"transcoderVideoQualities,attr"`
	TranscoderVideoResolutions    string      `json:"transcoderVideoResolutions" xml:"transcoderVideoResolutions,attr"`
	Livetv                        FlexInt     `json:"livetv" xml:"livetv,attr"`
	UpdatedAt                     FlexInt     `json:"updatedAt" xml:"updatedAt,attr"` // Unix seconds
	Diagnostics                   string      `json:"diagnostics" xml:"diagnostics,attr"`
	Directories                   []Directory `json:"Directory,omitempty" xml:"Directory"`
}

// Directory is an entry of GET /'s Directory list: a top-level endpoint of the server
// (activities, butler, library, …).
type Directory struct {
	Key   string  `json:"key" xml:"key,attr"`
	Title string  `json:"title" xml:"title,attr"`
	Count FlexInt `json:"count" xml:"count,attr"`
}

// Info returns the server's configuration (GET /). Shared users may call it.
func (s *ServerService) Info(ctx context.Context) (*ServerInfo, error) {
	info := new(ServerInfo)
	_, err := s.client.do(ctx, &request{
		method: http.MethodGet, path: "", head: info,
		childKeys: []string{"Directory"}, child: collect(&info.Directories, "Directory"),
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}
