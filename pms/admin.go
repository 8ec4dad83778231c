package pms

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// ButlerService lists, starts and stops the server's scheduled maintenance tasks (admin).
type ButlerService service

// ButlerTask is a scheduled task: backups, optimisation, cleaning.
type ButlerTask struct {
	Name               string   `json:"name" xml:"name,attr"` // e.g. BackupDatabase
	Title              string   `json:"title" xml:"title,attr"`
	Description        string   `json:"description,omitempty" xml:"description,attr"`
	Enabled            FlexBool `json:"enabled" xml:"enabled,attr"`
	Interval           FlexInt  `json:"interval" xml:"interval,attr"` // days
	ScheduleRandomized FlexBool `json:"scheduleRandomized" xml:"scheduleRandomized,attr"`
}

// List returns the tasks (GET /butler). Its answer's root is ButlerTasks, not a
// MediaContainer.
func (s *ButlerService) List(ctx context.Context) ([]ButlerTask, error) {
	var root struct {
		Tasks []ButlerTask `json:"ButlerTask" xml:"ButlerTask"`
	}
	if _, err := s.client.do(ctx, &request{method: get, path: "butler", into: &root}); err != nil {
		return nil, err
	}
	if root.Tasks == nil {
		root.Tasks = []ButlerTask{}
	}
	return root.Tasks, nil
}

// Start starts a task now (POST /butler/{name}).
func (s *ButlerService) Start(ctx context.Context, name string) error {
	if err := checkKey("task", name); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPost, "butler/"+name, nil)
}

// Stop stops a running task (DELETE /butler/{name}).
func (s *ButlerService) Stop(ctx context.Context, name string) error {
	if err := checkKey("task", name); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "butler/"+name, nil)
}

// StartAll starts every enabled task (POST /butler).
func (s *ButlerService) StartAll(ctx context.Context) error {
	return s.client.write(ctx, http.MethodPost, "butler", nil)
}

// StopAll stops every running task and clears the queue (DELETE /butler).
func (s *ButlerService) StopAll(ctx context.Context) error {
	return s.client.write(ctx, http.MethodDelete, "butler", nil)
}

// ActivitiesService lists and cancels what the server is busy with: scans, analyses,
// refreshes. The owner sees every activity, a shared user their own.
type ActivitiesService service

// Activity is work in progress on the server, as GET /activities lists it and activity
// notifications report it.
type Activity struct {
	UUID        string   `json:"uuid" xml:"uuid,attr"`
	Type        string   `json:"type" xml:"type,attr"` // e.g. library.update.section
	Title       string   `json:"title" xml:"title,attr"`
	Subtitle    string   `json:"subtitle,omitempty" xml:"subtitle,attr"`
	Progress    FlexInt  `json:"progress" xml:"progress,attr"` // percent
	Cancellable FlexBool `json:"cancellable" xml:"cancellable,attr"`
	UserID      FlexInt  `json:"userID,omitempty" xml:"userID,attr"`
	// Context holds what the activity is about, e.g. {"key": "/library/metadata/1001/children"}
	// for a refresh (notifications carry it; the list does not).
	Context map[string]any `json:"Context,omitempty" xml:"-"`
}

// List returns the activities in progress (GET /activities).
func (s *ActivitiesService) List(ctx context.Context) ([]Activity, error) {
	return list[Activity](ctx, s.client, get, "activities", nil, "Activity")
}

// Cancel cancels an activity (DELETE /activities/{uuid}; admin).
func (s *ActivitiesService) Cancel(ctx context.Context, uuid string) error {
	if err := checkKey("uuid", uuid); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "activities/"+uuid, nil)
}

// StatisticsService reads the numbers of the server's dashboard (admin; Plex Pass).
type StatisticsService service

// Timespan is the granularity of statistics.
type Timespan int

// Timespans, as the statistics endpoints number them.
const (
	TimespanMonths  Timespan = 1
	TimespanWeeks   Timespan = 2
	TimespanDays    Timespan = 3
	TimespanHours   Timespan = 4
	TimespanSeconds Timespan = 6
)

// query is the timespan= parameter of the statistics endpoints; a span that is not positive
// is an error.
func (span Timespan) query() (url.Values, error) {
	if span <= 0 {
		return nil, &ArgumentError{"timespan", fmt.Sprintf("%d is not a timespan", span)}
	}
	return url.Values{"timespan": {strconv.Itoa(int(span))}}, nil
}

// Bandwidth is the bandwidth used per account and device.
type Bandwidth struct {
	Accounts []Account            `json:"accounts"`
	Devices  []Device             `json:"devices"`
	Samples  []BandwidthStatistic `json:"samples"`
}

// BandwidthStatistic is the bytes sent to one device of one account in one period.
type BandwidthStatistic struct {
	AccountID FlexInt  `json:"accountID" xml:"accountID,attr"` // 1 is the owner
	DeviceID  FlexInt  `json:"deviceID" xml:"deviceID,attr"`
	Timespan  FlexInt  `json:"timespan" xml:"timespan,attr"`
	At        FlexInt  `json:"at" xml:"at,attr"` // Unix seconds
	LAN       FlexBool `json:"lan" xml:"lan,attr"`
	Bytes     FlexInt  `json:"bytes" xml:"bytes,attr"`
}

// Bandwidth returns the bandwidth used (GET /statistics/bandwidth?timespan=).
func (s *StatisticsService) Bandwidth(ctx context.Context, span Timespan) (*Bandwidth, error) {
	out := &Bandwidth{Accounts: []Account{}, Devices: []Device{}, Samples: []BandwidthStatistic{}}
	err := s.mixed(ctx, "statistics/bandwidth", span, &out.Accounts, &out.Devices, collect(&out.Samples, "StatisticsBandwidth"), "StatisticsBandwidth")
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MediaStatistics is what was played per account and device.
type MediaStatistics struct {
	Accounts []Account        `json:"accounts"`
	Devices  []Device         `json:"devices"`
	Samples  []MediaStatistic `json:"samples"`
}

// MediaStatistic is how many items of a type one device of one account played in one period,
// and for how long.
type MediaStatistic struct {
	AccountID    FlexInt `json:"accountID" xml:"accountID,attr"`
	DeviceID     FlexInt `json:"deviceID" xml:"deviceID,attr"`
	Timespan     FlexInt `json:"timespan" xml:"timespan,attr"`
	At           FlexInt `json:"at" xml:"at,attr"`
	MetadataType FlexInt `json:"metadataType" xml:"metadataType,attr"`
	Count        FlexInt `json:"count" xml:"count,attr"`
	Duration     FlexInt `json:"duration" xml:"duration,attr"` // seconds
}

// Media returns what was played (GET /statistics/media?timespan=).
func (s *StatisticsService) Media(ctx context.Context, span Timespan) (*MediaStatistics, error) {
	out := &MediaStatistics{Accounts: []Account{}, Devices: []Device{}, Samples: []MediaStatistic{}}
	err := s.mixed(ctx, "statistics/media", span, &out.Accounts, &out.Devices, collect(&out.Samples, "StatisticsMedia"), "StatisticsMedia")
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mixed reads an answer whose children are Account, Device and samples named sample.
func (s *StatisticsService) mixed(ctx context.Context, path string, span Timespan, accts *[]Account, devs *[]Device, samples childFunc, sample string) error {
	q, err := span.query()
	if err != nil {
		return err
	}
	a, d := collect(accts, "Account"), collect(devs, "Device")
	_, err = s.client.do(ctx, &request{
		method: get, path: path, query: q,
		childKeys: []string{"Account", "Device", sample},
		child: func(name string, decode elementDecoder) error {
			switch name {
			case "Account":
				return a(name, decode)
			case "Device":
				return d(name, decode)
			}
			return samples(name, decode)
		},
	})
	return err
}

// ResourceStatistic is the host's and the server's CPU and memory use at one time.
type ResourceStatistic struct {
	Timespan                 FlexInt   `json:"timespan" xml:"timespan,attr"`
	At                       FlexInt   `json:"at" xml:"at,attr"`
	HostCPUUtilization       FlexFloat `json:"hostCpuUtilization" xml:"hostCpuUtilization,attr"` // percent
	ProcessCPUUtilization    FlexFloat `json:"processCpuUtilization" xml:"processCpuUtilization,attr"`
	HostMemoryUtilization    FlexFloat `json:"hostMemoryUtilization" xml:"hostMemoryUtilization,attr"`
	ProcessMemoryUtilization FlexFloat `json:"processMemoryUtilization" xml:"processMemoryUtilization,attr"`
}

// Resources returns the CPU and memory use (GET /statistics/resources?timespan=).
func (s *StatisticsService) Resources(ctx context.Context, span Timespan) ([]ResourceStatistic, error) {
	q, err := span.query()
	if err != nil {
		return nil, err
	}
	return list[ResourceStatistic](ctx, s.client, get, "statistics/resources", q, "StatisticsResources")
}

// Account is an account the server knows (GET /accounts): 0 is the system, 1 the owner, and
// any other id a plex.tv account the server is shared with.
type Account struct {
	ID                      FlexInt  `json:"id" xml:"id,attr"`
	Key                     string   `json:"key,omitempty" xml:"key,attr"`
	Name                    string   `json:"name" xml:"name,attr"`
	DefaultAudioLanguage    string   `json:"defaultAudioLanguage,omitempty" xml:"defaultAudioLanguage,attr"`
	AutoSelectAudio         FlexBool `json:"autoSelectAudio,omitempty" xml:"autoSelectAudio,attr"`
	DefaultSubtitleLanguage string   `json:"defaultSubtitleLanguage,omitempty" xml:"defaultSubtitleLanguage,attr"`
	SubtitleMode            FlexInt  `json:"subtitleMode,omitempty" xml:"subtitleMode,attr"`
	Thumb                   string   `json:"thumb,omitempty" xml:"thumb,attr"`
}

// Device is a device that has used the server (GET /devices).
type Device struct {
	ID               FlexInt `json:"id" xml:"id,attr"`
	Name             string  `json:"name" xml:"name,attr"`
	Platform         string  `json:"platform" xml:"platform,attr"`
	ClientIdentifier string  `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	CreatedAt        FlexInt `json:"createdAt" xml:"createdAt,attr"`
}

// PlayerClient is a player the server can control now (GET /clients).
type PlayerClient struct {
	Name                 string  `json:"name" xml:"name,attr"`
	Host                 string  `json:"host" xml:"host,attr"`
	Address              string  `json:"address" xml:"address,attr"`
	Port                 FlexInt `json:"port" xml:"port,attr"`
	MachineIdentifier    string  `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Version              string  `json:"version,omitempty" xml:"version,attr"`
	Protocol             string  `json:"protocol,omitempty" xml:"protocol,attr"`
	Product              string  `json:"product,omitempty" xml:"product,attr"`
	DeviceClass          string  `json:"deviceClass,omitempty" xml:"deviceClass,attr"`
	ProtocolVersion      string  `json:"protocolVersion,omitempty" xml:"protocolVersion,attr"`
	ProtocolCapabilities string  `json:"protocolCapabilities,omitempty" xml:"protocolCapabilities,attr"`
}

// Accounts returns the accounts the server knows (GET /accounts; admin).
func (s *ServerService) Accounts(ctx context.Context) ([]Account, error) {
	return list[Account](ctx, s.client, get, "accounts", nil, "Account")
}

// Devices returns the devices that have used the server (GET /devices; admin).
func (s *ServerService) Devices(ctx context.Context) ([]Device, error) {
	return list[Device](ctx, s.client, get, "devices", nil, "Device")
}

// Clients returns the players the server can reach now (GET /clients).
func (s *ServerService) Clients(ctx context.Context) ([]PlayerClient, error) {
	return list[PlayerClient](ctx, s.client, get, "clients", nil, "Server")
}

// TranscodeSessions returns the transcodes running now (GET /transcode/sessions).
func (s *ServerService) TranscodeSessions(ctx context.Context) ([]TranscodeSession, error) {
	return list[TranscodeSession](ctx, s.client, get, "transcode/sessions", nil, "TranscodeSession")
}

// UpdaterStatus is what the server's updater knows: whether an update can be installed, and
// the releases it found.
type UpdaterStatus struct {
	CanInstall  FlexBool  `json:"canInstall" xml:"canInstall,attr"`
	CheckedAt   FlexInt   `json:"checkedAt,omitempty" xml:"checkedAt,attr"`
	DownloadURL string    `json:"downloadURL,omitempty" xml:"downloadURL,attr"`
	Status      FlexInt   `json:"status,omitempty" xml:"status,attr"`
	Releases    []Release `json:"Release,omitempty" xml:"-"`
}

// Release is a PMS release the updater found.
type Release struct {
	Key         string `json:"key,omitempty" xml:"key,attr"`
	Version     string `json:"version" xml:"version,attr"`
	Added       string `json:"added,omitempty" xml:"added,attr"`
	Fixed       string `json:"fixed,omitempty" xml:"fixed,attr"`
	DownloadURL string `json:"downloadURL,omitempty" xml:"downloadURL,attr"`
	State       string `json:"state,omitempty" xml:"state,attr"`
}

// UpdaterStatus returns the updater's status (GET /updater/status; admin).
func (s *ServerService) UpdaterStatus(ctx context.Context) (*UpdaterStatus, error) {
	st := &UpdaterStatus{}
	_, err := s.client.do(ctx, &request{
		method: get, path: "updater/status", head: st,
		childKeys: []string{"Release"}, child: collect(&st.Releases, "Release"),
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// CheckForUpdates asks the updater to look for a release now (PUT /updater/check; admin).
func (s *ServerService) CheckForUpdates(ctx context.Context) error {
	return s.client.write(ctx, http.MethodPut, "updater/check", nil)
}

// Log levels of Server.Log.
const (
	LogError   = 0
	LogWarning = 1
	LogInfo    = 2
	LogDebug   = 3
	LogVerbose = 4
)

// Log writes a line to the server's log (PUT /log; admin), attributed to source.
func (s *ServerService) Log(ctx context.Context, level int, source, message string) error {
	if level < LogError || level > LogVerbose {
		return &ArgumentError{"level", fmt.Sprintf("%d is not a log level (0 error … 4 verbose)", level)}
	}
	if message == "" {
		return &ArgumentError{"message", "is empty"}
	}
	return s.client.write(ctx, http.MethodPut, "log", url.Values{"level": {strconv.Itoa(level)}, "source": {source}, "message": {message}})
}

// DownloadLogs writes the server's logs, a zip archive, to w (GET /diagnostics/logs; admin).
func (s *ServerService) DownloadLogs(ctx context.Context, w io.Writer) error {
	if w == nil {
		return &ArgumentError{"w", "is nil"}
	}
	_, err := s.client.do(ctx, &request{method: get, path: "diagnostics/logs", into: w})
	return err
}

// Terminate stops a playback and shows its player reason (POST /status/sessions/terminate;
// admin). sessionID is the session's Session.ID (not its SessionKey).
func (s *SessionsService) Terminate(ctx context.Context, sessionID, reason string) error {
	if sessionID == "" {
		return &ArgumentError{"sessionID", "is empty"}
	}
	q := url.Values{"sessionId": {sessionID}}
	if reason != "" {
		q.Set("reason", reason)
	}
	return s.client.write(ctx, http.MethodPost, "status/sessions/terminate", q)
}
