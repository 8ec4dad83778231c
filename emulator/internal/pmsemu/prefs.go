package pmsemu

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// pref is one server preference as GET /:/prefs lists it. Its value is kept as text, in the form
// PUT /:/prefs takes it, and rendered in JSON as its type (bool, int, double or text).
type pref struct {
	id, label, summary, kind, group string
	def                             string
	enum                            string // "value:name|value:name", or ""
	hidden, advanced                bool
}

// prefs are the preferences the emulator knows, a selection of a real server's (the spec's
// examples and what python-plexapi's tests read), in the order a PMS lists them.
var prefs = []pref{
	{id: "FriendlyName", label: "Friendly name", summary: "This name will be used to identify this media server to other computers on your network. If you leave it blank, your computer's name will be used instead.", kind: "text", group: "general"},
	{id: "sendCrashReports", label: "Send crash reports to Plex", summary: "This helps us improve your experience.", kind: "bool", def: "1", group: "general"},
	{id: "ButlerUpdateChannel", label: "Server update channel", kind: "int", def: "16", enum: "16:Public|8:Beta", group: "general"},
	{id: "logDebug", label: "Enable Plex Media Server debug logging", kind: "bool", def: "1", group: "general", advanced: true},
	{id: "LogVerbose", label: "Enable Plex Media Server verbose logging", kind: "bool", def: "0", group: "general", advanced: true},
	{id: "ManualPortMappingMode", label: "Manually specify public port", kind: "bool", def: "0", group: "network"},
	{id: "ManualPortMappingPort", label: "Public port", kind: "int", def: "32400", group: "network"},
	{id: "secureConnections", label: "Secure connections", kind: "int", def: "1", enum: "0:Required|1:Preferred|2:Disabled", group: "network", advanced: true},
	{id: "GdmEnabled", label: "Enable local network discovery (GDM)", kind: "bool", def: "1", group: "network", advanced: true},
	{id: "WanPerStreamMaxUploadRate", label: "Limit remote stream bitrate", kind: "int", def: "0", group: "network"},
	{id: "allowMediaDeletion", label: "Allow media deletion", summary: "The owner of the server will be allowed to delete media files from disk.", kind: "bool", def: "1", group: "library", advanced: true},
	{id: "FSEventLibraryUpdatesEnabled", label: "Scan my library automatically", kind: "bool", def: "0", group: "library"},
	{id: "ScheduledLibraryUpdatesEnabled", label: "Scan my library periodically", kind: "bool", def: "0", group: "library"},
	{id: "ScheduledLibraryUpdateInterval", label: "Library scan interval", kind: "int", def: "3600", enum: "900:every 15 minutes|1800:every 30 minutes|3600:hourly|7200:every 2 hours|21600:every 6 hours|43200:every 12 hours|86400:daily", group: "library"},
	{id: "OnDeckWindow", label: "Weeks to consider for Continue Watching", summary: "Media that has not been watched in this many weeks will not appear in Continue Watching.", kind: "int", def: "16", group: "library", advanced: true},
	{id: "LibraryVideoPlayedAtBehaviour", label: "Video play completion behaviour", summary: "Decide whether to use end credits markers to determine the 'watched' state of video items. When markers are not available the selected threshold percentage will be used.", kind: "text", def: "3", enum: "0:at selected threshold percentage|1:at final credits marker position|2:at first credits marker position|3:earliest between threshold percent and first credits marker", group: "library"},
	{id: "LibraryVideoPlayedThreshold", label: "Video played threshold", kind: "int", def: "90", enum: "80:80%|85:85%|90:90%|95:95%", group: "library"},
	{id: "TranscoderQuality", label: "Transcoder quality", kind: "int", def: "0", enum: "0:Automatic|1:Prefer higher speed encoding|2:Prefer higher quality encoding|3:Make my CPU hurt", group: "transcoder"},
	{id: "TranscoderTempDirectory", label: "Transcoder temporary directory", kind: "text", group: "transcoder", advanced: true},
	{id: "TranscoderH264MinimumCRF", kind: "double", def: "16", group: "transcoder", hidden: true},
	{id: "HardwareAcceleratedCodecs", label: "Use hardware acceleration when available", kind: "bool", def: "1", group: "transcoder"},
	{id: "ButlerStartHour", label: "Time at which tasks start to run", kind: "int", def: "2", enum: "0:Midnight|1:1 am|2:2 am|3:3 am|4:4 am|5:5 am|6:6 am", group: "butler"},
	{id: "ButlerEndHour", label: "Time at which tasks stop running", kind: "int", def: "5", enum: "1:1 am|2:2 am|3:3 am|4:4 am|5:5 am|6:6 am|7:7 am", group: "butler"},
	{id: "ButlerDatabaseBackupPath", label: "Backup directory", kind: "text", def: "/config/Library/Application Support/Plex Media Server/Plug-in Support/Databases", group: "butler"},
	{id: "DlnaEnabled", label: "Enable the DLNA server", kind: "bool", def: "0", group: "dlna"},
	{id: "CinemaTrailersFromLibrary", label: "Include Cinema Trailers from movies in my library", kind: "bool", def: "1", group: "extras"},
}

func prefByID(id string) (pref, bool) {
	i := slices.IndexFunc(prefs, func(p pref) bool { return p.id == id })
	if i < 0 {
		return pref{}, false
	}
	return prefs[i], true
}

// check normalises v for p ("true" → "1" for a bool) or explains why p cannot take it.
func (p pref) check(v string) (string, string) {
	switch p.kind {
	case "bool":
		switch strings.ToLower(v) {
		case "1", "true":
			v = "1"
		case "0", "false":
			v = "0"
		default:
			return "", "preference " + p.id + " is a bool: " + strconv.Quote(v) + " is not 0, 1, true or false"
		}
	case "int":
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", "preference " + p.id + " is an int: " + strconv.Quote(v) + " is not an integer"
		}
		v = strconv.Itoa(n)
	case "double":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", "preference " + p.id + " is a double: " + strconv.Quote(v) + " is not a number"
		}
	}
	if p.enum != "" {
		var allowed []string
		for e := range strings.SplitSeq(p.enum, "|") {
			val, _, _ := strings.Cut(e, ":")
			allowed = append(allowed, val)
		}
		if !slices.Contains(allowed, v) {
			return "", "preference " + p.id + ": " + strconv.Quote(v) + " is not one of " + strings.Join(allowed, ", ")
		}
	}
	return v, ""
}

// prefValue is a preference value rendered as its type: in JSON a boolean, a number or a
// string; in XML an attribute, with booleans "1"/"0".
type prefValue struct{ kind, text string }

// MarshalJSON implements json.Marshaler.
func (v prefValue) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case "bool":
		return []byte(strconv.FormatBool(v.text == "1")), nil
	case "int", "double":
		if _, err := strconv.ParseFloat(v.text, 64); err == nil {
			return []byte(v.text), nil
		}
	}
	return json.Marshal(v.text)
}

// MarshalXMLAttr implements xml.MarshalerAttr.
func (v prefValue) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	return xml.Attr{Name: name, Value: v.text}, nil
}

type setting struct {
	XMLName    xml.Name  `json:"-" xml:"Setting"`
	ID         string    `json:"id" xml:"id,attr"`
	Label      string    `json:"label" xml:"label,attr"`
	Summary    string    `json:"summary" xml:"summary,attr"`
	Type       string    `json:"type" xml:"type,attr"`
	Default    prefValue `json:"default" xml:"default,attr"`
	Value      prefValue `json:"value" xml:"value,attr"`
	Hidden     xbool     `json:"hidden" xml:"hidden,attr"`
	Advanced   xbool     `json:"advanced" xml:"advanced,attr"`
	Group      string    `json:"group" xml:"group,attr"`
	EnumValues string    `json:"enumValues,omitempty" xml:"enumValues,attr,omitempty"`
}

type settingsContainer struct {
	XMLName xml.Name `json:"-" xml:"MediaContainer"`
	Size    int      `json:"size" xml:"size,attr"`
}

// pref returns the current value of preference id (its default until a client sets it).
func (o *ops) pref(id string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v, ok := o.prefs[id]; ok {
		return v
	}
	p, _ := prefByID(id)
	if id == "FriendlyName" {
		return o.h.cfg.Name
	}
	return p.def
}

func (o *ops) setting(p pref) setting {
	def := p.def
	if p.id == "FriendlyName" {
		def = ""
	}
	return setting{
		ID: p.id, Label: p.label, Summary: p.summary, Type: p.kind,
		Default: prefValue{p.kind, def}, Value: prefValue{p.kind, o.pref(p.id)},
		Hidden: xbool(p.hidden), Advanced: xbool(p.advanced), Group: p.group, EnumValues: p.enum,
	}
}

// prefsList serves GET /:/prefs: every preference with its type, default, current value and
// allowed values.
func (o *ops) prefsList(c *call) {
	list{head: settingsContainer{Size: len(prefs)}, childKey: "Setting", n: len(prefs), child: func(i int) any {
		return o.setting(prefs[i])
	}}.write(c.w, c.json)
}

// prefsGet serves GET /:/prefs/get?id=: one preference, 404 for an unknown id.
func (o *ops) prefsGet(c *call) {
	p, ok := prefByID(c.query.Get("id"))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	list{head: settingsContainer{Size: 1}, childKey: "Setting", n: 1, child: func(int) any {
		return o.setting(p)
	}}.write(c.w, c.json)
}

// prefsSet serves PUT /:/prefs?id=value&…: every value is checked against its preference's type
// and allowed values before any is set, so a bad request changes nothing; none at all is a
// request that changes nothing, and succeeds (@lukehagar/plexjs can send only that: its request
// schema strips every preference). Only the owner may
// change the server's settings; a shared user gets the 403 the spec lists.
func (o *ops) prefsSet(c *call) {
	if c.caller.Role != RoleAdmin {
		writeError(c.w, http.StatusForbidden)
		return
	}
	set := map[string]string{}
	for id, vals := range c.query {
		if strings.HasPrefix(id, "X-Plex-") {
			continue
		}
		p, ok := prefByID(id)
		if !ok {
			writeText(c, http.StatusBadRequest, "cannot set preference value for unknown preference "+id)
			return
		}
		v, why := p.check(vals[len(vals)-1])
		if why != "" {
			writeText(c, http.StatusBadRequest, why)
			return
		}
		set[id] = v
	}
	o.mu.Lock()
	for id, v := range set {
		o.prefs[id] = v
	}
	o.mu.Unlock()
	for id := range set {
		p, _ := prefByID(id)
		o.h.hub.Publish(Notification{Type: "preference", Entry: o.setting(p), AdminOnly: true})
	}
	writeOK(c)
}

// friendlyName is the server's name as clients see it: the FriendlyName preference (the
// configured name until the owner changes it), or Plex's default.
func (h *handler) friendlyName() string {
	if name := h.admin.pref("FriendlyName"); name != "" {
		return name
	}
	return "Plex Media Server"
}
