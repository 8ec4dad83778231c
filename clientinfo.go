package plexkit

import (
	"net/http"
	"runtime"
)

// ClientInfo identifies this installation to plex.tv and to Plex Media Servers. It becomes the
// X-Plex-* headers of every request. ClientIdentifier must be stable per installation: a new
// identifier is a new device in the account's Authorized Devices.
type ClientInfo struct {
	ClientIdentifier string // X-Plex-Client-Identifier (required)
	Product          string // X-Plex-Product, shown in Authorized Devices
	Version          string // X-Plex-Version
	Platform         string // X-Plex-Platform
	PlatformVersion  string // X-Plex-Platform-Version
	Device           string // X-Plex-Device
	DeviceName       string // X-Plex-Device-Name
}

// Version is plexkit's version, sent as X-Plex-Version by default.
const Version = "0.1.0"

// DefaultClientInfo returns a ClientInfo for clientID with plexkit's product name and this
// machine's platform filled in.
func DefaultClientInfo(clientID string) ClientInfo {
	return ClientInfo{
		ClientIdentifier: clientID,
		Product:          "plexkit",
		Version:          Version,
		Platform:         runtime.GOOS,
		PlatformVersion:  runtime.GOARCH,
		Device:           "plexkit",
		DeviceName:       "plexkit",
	}
}

// SetHeaders writes the X-Plex-* identification headers and Accept: application/json into h.
// Empty fields are left out.
func (c ClientInfo) SetHeaders(h http.Header) {
	for _, kv := range [...]struct{ k, v string }{
		{"X-Plex-Client-Identifier", c.ClientIdentifier},
		{"X-Plex-Product", c.Product},
		{"X-Plex-Version", c.Version},
		{"X-Plex-Platform", c.Platform},
		{"X-Plex-Platform-Version", c.PlatformVersion},
		{"X-Plex-Device", c.Device},
		{"X-Plex-Device-Name", c.DeviceName},
	} {
		if kv.v != "" {
			h.Set(kv.k, kv.v)
		}
	}
	h.Set("Accept", "application/json")
}
