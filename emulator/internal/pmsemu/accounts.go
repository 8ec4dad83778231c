package pmsemu

import (
	"encoding/xml"
	"net"
	"net/http"
	"strconv"
)

// The server's own view of people and devices: /accounts (the owner is 1, the system account
// 0, everyone else their plex.tv id), /devices, /clients, /myplex/account, /system/agents and
// the dashboard statistics.

type accountElem struct {
	XMLName                 xml.Name `json:"-" xml:"Account"`
	ID                      int      `json:"id" xml:"id,attr"`
	Key                     string   `json:"key" xml:"key,attr"`
	Name                    string   `json:"name" xml:"name,attr"`
	DefaultAudioLanguage    string   `json:"defaultAudioLanguage" xml:"defaultAudioLanguage,attr"`
	AutoSelectAudio         xbool    `json:"autoSelectAudio" xml:"autoSelectAudio,attr"`
	DefaultSubtitleLanguage string   `json:"defaultSubtitleLanguage" xml:"defaultSubtitleLanguage,attr"`
	SubtitleMode            int      `json:"subtitleMode" xml:"subtitleMode,attr"`
	Thumb                   string   `json:"thumb" xml:"thumb,attr"`
}

type accountsContainer struct {
	XMLName    xml.Name      `json:"-" xml:"MediaContainer"`
	Size       int           `json:"size" xml:"size,attr"`
	Identifier string        `json:"identifier" xml:"identifier,attr"`
	Account    []accountElem `json:"Account" xml:"Account"`
}

// accountElems lists the server's accounts: the system account 0, then the owner (1) and the
// accounts shared with.
func (h *handler) accountElems() []accountElem {
	out := []accountElem{{ID: 0, Key: "/accounts/0", DefaultAudioLanguage: "en", AutoSelectAudio: true, DefaultSubtitleLanguage: "en"}}
	for _, a := range h.store.Accounts() {
		out = append(out, accountElem{ID: a.ID, Key: "/accounts/" + strconv.Itoa(a.ID), Name: a.Username,
			DefaultAudioLanguage: "en", AutoSelectAudio: true, DefaultSubtitleLanguage: "en", SubtitleMode: 1, Thumb: a.Thumb})
	}
	return out
}

// accounts serves GET /accounts and /accounts/{id}.
func (h *handler) accounts(c *call) {
	all, ok := onePathID(c, h.accountElems(), func(a accountElem) int { return a.ID })
	if !ok {
		return
	}
	writeValue(c, "MediaContainer", accountsContainer{Size: len(all), Identifier: "com.plexapp.system.accounts", Account: all})
}

// onePathID narrows all to the element whose id is the path's second segment
// (/accounts/{id}, /devices/{id}), answering 404 when none has it; without the segment it
// keeps all.
func onePathID[T any](c *call, all []T, id func(T) int) ([]T, bool) {
	want := pathSegment(c.r.URL.Path, 1)
	if want == "" {
		return all, true
	}
	var one []T
	for _, e := range all {
		if strconv.Itoa(id(e)) == want {
			one = append(one, e)
		}
	}
	if one == nil {
		writeError(c.w, http.StatusNotFound)
		return nil, false
	}
	return one, true
}

type deviceElem struct {
	XMLName          xml.Name `json:"-" xml:"Device"`
	ID               int      `json:"id" xml:"id,attr"`
	Name             string   `json:"name" xml:"name,attr"`
	Platform         string   `json:"platform" xml:"platform,attr"`
	ClientIdentifier string   `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	CreatedAt        int64    `json:"createdAt" xml:"createdAt,attr"`
}

// deviceElems lists a device per account: the one its plays are recorded on.
func (h *handler) deviceElems() []deviceElem {
	var out []deviceElem
	for _, a := range h.store.Accounts() {
		id := deviceID(a.ID)
		out = append(out, deviceElem{ID: id, Name: "Chrome", Platform: "Chrome",
			ClientIdentifier: strconv.FormatUint(mix(uint64(a.ID), 11), 36), CreatedAt: addedBase + int64(id)})
	}
	return out
}

type devicesContainer struct {
	XMLName    xml.Name     `json:"-" xml:"MediaContainer"`
	Size       int          `json:"size" xml:"size,attr"`
	Identifier string       `json:"identifier" xml:"identifier,attr"`
	Device     []deviceElem `json:"Device" xml:"Device"`
}

// devices serves GET /devices and /devices/{id}.
func (h *handler) devices(c *call) {
	all, ok := onePathID(c, h.deviceElems(), func(d deviceElem) int { return d.ID })
	if !ok {
		return
	}
	writeValue(c, "MediaContainer", devicesContainer{Size: len(all), Identifier: "com.plexapp.system.devices", Device: all})
}

type serverElem struct {
	XMLName           xml.Name `json:"-" xml:"Server"`
	Name              string   `json:"name" xml:"name,attr"`
	Host              string   `json:"host" xml:"host,attr"`
	Address           string   `json:"address" xml:"address,attr"`
	Port              int      `json:"port" xml:"port,attr"`
	MachineIdentifier string   `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Version           string   `json:"version" xml:"version,attr"`
}

type serversContainer struct {
	XMLName xml.Name     `json:"-" xml:"MediaContainer"`
	Size    int          `json:"size" xml:"size,attr"`
	Server  []serverElem `json:"Server" xml:"Server"`
}

// servers serves GET /servers: the servers this one knows on its network, itself.
func (h *handler) servers(c *call) {
	host, portText, _ := net.SplitHostPort(c.r.Host)
	port, _ := strconv.Atoi(portText)
	name := h.cfg.Name
	if name == "" {
		name = "Plex Media Server"
	}
	writeValue(c, "MediaContainer", serversContainer{Size: 1, Server: []serverElem{{Name: name,
		Host: host, Address: host, Port: port, MachineIdentifier: h.cfg.MachineIdentifier, Version: h.cfg.Version}}})
}

type myPlexElem struct {
	XMLName              xml.Name `json:"-" xml:"MyPlex"`
	AuthToken            string   `json:"authToken" xml:"authToken,attr"`
	Username             string   `json:"username" xml:"username,attr"`
	MappingState         string   `json:"mappingState" xml:"mappingState,attr"`
	MappingError         string   `json:"mappingError" xml:"mappingError,attr"`
	MappingErrorMessage  string   `json:"mappingErrorMessage" xml:"mappingErrorMessage,attr"`
	SignInState          string   `json:"signInState" xml:"signInState,attr"`
	PublicAddress        string   `json:"publicAddress" xml:"publicAddress,attr"`
	PublicPort           int      `json:"publicPort" xml:"publicPort,attr"`
	PrivateAddress       string   `json:"privateAddress" xml:"privateAddress,attr"`
	PrivatePort          int      `json:"privatePort" xml:"privatePort,attr"`
	SubscriptionFeatures string   `json:"subscriptionFeatures" xml:"subscriptionFeatures,attr"`
	SubscriptionActive   xbool    `json:"subscriptionActive" xml:"subscriptionActive,attr"`
	SubscriptionState    string   `json:"subscriptionState" xml:"subscriptionState,attr"`
}

// myplexAccount serves GET /myplex/account: how the server is signed in to plex.tv. The root
// element is MyPlex, not MediaContainer.
func (h *handler) myplexAccount(c *call) {
	owner := h.store.Account(OwnerLocalID)
	username := owner.Email
	if username == "" {
		username = owner.Username
	}
	host, portText, _ := net.SplitHostPort(c.r.Host)
	port, _ := strconv.Atoi(portText)
	state, features := "Inactive", ""
	if owner.PlexPass {
		state, features = "Active", ownerFeatures
	}
	// Remote access: "mapped" while plex.tv can reach the server; otherwise the state a failed
	// port mapping shows (chosen: the reference has no capture of it).
	mapping, mappingErr := "mapped", ""
	if h.unreachable.Load() {
		mapping, mappingErr = "failed", "unreachable"
	}
	writeValue(c, "MyPlex", myPlexElem{Username: username, MappingState: mapping, MappingError: mappingErr, SignInState: "ok",
		PublicAddress: host, PublicPort: port, PrivateAddress: host, PrivatePort: port,
		SubscriptionFeatures: features, SubscriptionActive: xbool(owner.PlexPass), SubscriptionState: state})
}

// ownerFeatures are the Plex Pass features GET / and /myplex/account list.
const ownerFeatures = "hardware_transcoding,home,livetv,lyrics,music-analysis,pass,sync,webhooks"

type agentLanguage struct {
	Code string `json:"code" xml:"code,attr"`
}

type agentMediaType struct {
	MediaType int             `json:"mediaType" xml:"mediaType,attr"`
	Name      string          `json:"name" xml:"name,attr"`
	Language  []agentLanguage `json:"Language" xml:"Language"`
}

type agentElem struct {
	XMLName        xml.Name         `json:"-" xml:"Agent"`
	HasAttribution xbool            `json:"hasAttribution" xml:"hasAttribution,attr"`
	HasPrefs       xbool            `json:"hasPrefs" xml:"hasPrefs,attr"`
	Identifier     string           `json:"identifier" xml:"identifier,attr"`
	Name           string           `json:"name" xml:"name,attr"`
	Primary        xbool            `json:"primary" xml:"primary,attr"`
	MediaType      []agentMediaType `json:"MediaType" xml:"MediaType"`
}

type agentsContainer struct {
	XMLName xml.Name    `json:"-" xml:"MediaContainer"`
	Size    int         `json:"size" xml:"size,attr"`
	Agent   []agentElem `json:"Agent" xml:"Agent"`
}

// agents serves GET /system/agents[?mediaType=N]: the metadata agents of the section types
// the emulator has. Every identifier has a dot (python-plexapi splits on it).
func (h *handler) agents(c *call) {
	en := []agentLanguage{{Code: "en"}}
	all := []agentElem{
		{HasAttribution: true, HasPrefs: true, Identifier: "tv.plex.agents.movie", Name: "Plex Movie", Primary: true,
			MediaType: []agentMediaType{{MediaType: 1, Name: "movie", Language: en}}},
		{HasAttribution: true, HasPrefs: true, Identifier: "tv.plex.agents.series", Name: "Plex TV Series", Primary: true,
			MediaType: []agentMediaType{{MediaType: 2, Name: "show", Language: en}}},
		{HasAttribution: true, HasPrefs: true, Identifier: "tv.plex.agents.music", Name: "Plex Music", Primary: true,
			MediaType: []agentMediaType{{MediaType: 8, Name: "artist", Language: en}}},
		{Identifier: "com.plexapp.agents.none", Name: "Personal Media", Primary: true,
			MediaType: []agentMediaType{{MediaType: 1, Name: "movie", Language: en}, {MediaType: 13, Name: "photo", Language: en}}},
	}
	if mt := c.query.Get("mediaType"); mt != "" {
		var some []agentElem
		for _, a := range all {
			for _, t := range a.MediaType {
				if strconv.Itoa(t.MediaType) == mt {
					some = append(some, a)
					break
				}
			}
		}
		all = some
	}
	writeValue(c, "MediaContainer", agentsContainer{Size: len(all), Agent: all})
}

type bandwidthElem struct {
	XMLName   xml.Name `json:"-" xml:"StatisticsBandwidth"`
	AccountID int      `json:"accountID" xml:"accountID,attr"`
	DeviceID  int      `json:"deviceID" xml:"deviceID,attr"`
	Timespan  int      `json:"timespan" xml:"timespan,attr"`
	At        int64    `json:"at" xml:"at,attr"`
	Lan       xbool    `json:"lan" xml:"lan,attr"`
	Bytes     int64    `json:"bytes" xml:"bytes,attr"`
}

type mediaStatElem struct {
	XMLName      xml.Name `json:"-" xml:"StatisticsMedia"`
	AccountID    int      `json:"accountID" xml:"accountID,attr"`
	DeviceID     int      `json:"deviceID" xml:"deviceID,attr"`
	Timespan     int      `json:"timespan" xml:"timespan,attr"`
	At           int64    `json:"at" xml:"at,attr"`
	MetadataType int      `json:"metadataType" xml:"metadataType,attr"`
	Count        int      `json:"count" xml:"count,attr"`
	Duration     int      `json:"duration" xml:"duration,attr"`
}

type statsContainer struct {
	XMLName             xml.Name        `json:"-" xml:"MediaContainer"`
	Size                int             `json:"size" xml:"size,attr"`
	Device              []deviceElem    `json:"Device,omitempty" xml:"Device"`
	Account             []accountElem   `json:"Account,omitempty" xml:"Account"`
	StatisticsBandwidth []bandwidthElem `json:"StatisticsBandwidth,omitempty" xml:"StatisticsBandwidth"`
	StatisticsMedia     []mediaStatElem `json:"StatisticsMedia,omitempty" xml:"StatisticsMedia"`
	StatisticsResources []resourceStat  `json:"StatisticsResources,omitempty" xml:"StatisticsResources"`
}

// timespans are the lengths, in seconds, of a statistics bucket by timespan=.
var timespans = map[string]int64{"1": 30 * 86400, "2": 7 * 86400, "3": 86400, "4": 3600, "6": 1}

// statistics derives the dashboard from history: every play of an account is a bucket of
// bandwidth (the item's size) and of media time.
func (h *handler) statistics(c *call, bandwidth bool) {
	ts := c.query.Get("timespan")
	if ts == "" {
		ts = "6"
	}
	span, ok := timespans[ts]
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	tsn, _ := strconv.Atoi(ts)
	out := statsContainer{Device: h.deviceElems(), Account: h.accountElems()[1:]}
	var want *int
	if v := c.query.Get("accountID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(c.w, http.StatusBadRequest)
			return
		}
		want = &n
	}
	for _, e := range h.store.History() {
		if want != nil && e.AccountID != *want {
			continue
		}
		it, ok := h.store.Item(e.RatingKey)
		if !ok {
			continue
		}
		at := e.ViewedAt / span * span
		if bandwidth {
			var size int64
			if len(it.Media) > 0 && len(it.Media[0].Parts) > 0 {
				size = it.Media[0].Parts[0].Size
			}
			out.StatisticsBandwidth = append(out.StatisticsBandwidth, bandwidthElem{AccountID: e.AccountID, DeviceID: e.DeviceID,
				Timespan: tsn, At: at, Lan: true, Bytes: size})
		} else {
			out.StatisticsMedia = append(out.StatisticsMedia, mediaStatElem{AccountID: e.AccountID, DeviceID: e.DeviceID,
				Timespan: tsn, At: at, MetadataType: typeNumbers[it.Type], Count: 1, Duration: it.Duration / 1000})
		}
	}
	out.Size = len(out.StatisticsBandwidth) + len(out.StatisticsMedia)
	writeValue(c, "MediaContainer", out)
}

func (h *handler) statisticsBandwidth(c *call) { h.statistics(c, true) }
func (h *handler) statisticsMedia(c *call)     { h.statistics(c, false) }

type resourceStat struct {
	XMLName                  xml.Name `json:"-" xml:"StatisticsResources"`
	Timespan                 int      `json:"timespan" xml:"timespan,attr"`
	At                       int64    `json:"at" xml:"at,attr"`
	HostCPUUtilization       float64  `json:"hostCpuUtilization" xml:"hostCpuUtilization,attr"`
	ProcessCPUUtilization    float64  `json:"processCpuUtilization" xml:"processCpuUtilization,attr"`
	HostMemoryUtilization    float64  `json:"hostMemoryUtilization" xml:"hostMemoryUtilization,attr"`
	ProcessMemoryUtilization float64  `json:"processMemoryUtilization" xml:"processMemoryUtilization,attr"`
}

// statisticsResources serves GET /statistics/resources: a quiet host, one sample per minute
// of the last ten.
func (h *handler) statisticsResources(c *call) {
	now := h.cfg.Now().Unix() / 60 * 60
	out := statsContainer{}
	for i := range 10 {
		at := now - int64(9-i)*60
		hsh := mix(uint64(at), 5)
		out.StatisticsResources = append(out.StatisticsResources, resourceStat{Timespan: 6, At: at,
			HostCPUUtilization: float64(hsh%2000) / 100, ProcessCPUUtilization: float64(hsh>>12%500) / 100,
			HostMemoryUtilization: 40 + float64(hsh>>24%1000)/100, ProcessMemoryUtilization: 5 + float64(hsh>>36%300)/100})
	}
	out.Size = len(out.StatisticsResources)
	writeValue(c, "MediaContainer", out)
}
