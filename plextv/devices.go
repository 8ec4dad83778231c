package plextv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DevicesService lists, renames and removes the account's authorized devices: every app,
// player and server signed in to the account. plex.tv answers these legacy endpoints in XML.
type DevicesService struct{ c *Client }

// Device is an authorized device of the account (a <Device> of GET /devices.xml). The
// device's token, which plex.tv includes, is deliberately not kept.
type Device struct {
	ID               int64              `json:"id" xml:"id,attr"`
	Name             string             `json:"name" xml:"name,attr"`
	Product          string             `json:"product" xml:"product,attr"`
	ProductVersion   string             `json:"productVersion" xml:"productVersion,attr"`
	Platform         string             `json:"platform" xml:"platform,attr"`
	PlatformVersion  string             `json:"platformVersion" xml:"platformVersion,attr"`
	Device           string             `json:"device" xml:"device,attr"`
	Model            string             `json:"model" xml:"model,attr"`
	Vendor           string             `json:"vendor" xml:"vendor,attr"`
	Provides         string             `json:"provides" xml:"provides,attr"` // comma-separated; may be ""
	ClientIdentifier string             `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	Version          string             `json:"version" xml:"version,attr"`
	PublicAddress    string             `json:"publicAddress" xml:"publicAddress,attr"`
	CreatedAt        int64              `json:"createdAt" xml:"createdAt,attr"`   // Unix seconds
	LastSeenAt       int64              `json:"lastSeenAt" xml:"lastSeenAt,attr"` // Unix seconds
	ScreenResolution string             `json:"screenResolution" xml:"screenResolution,attr"`
	ScreenDensity    string             `json:"screenDensity" xml:"screenDensity,attr"`
	Connections      []DeviceConnection `json:"connections" xml:"Connection"`
}

// DeviceConnection is an address a device was last seen at.
type DeviceConnection struct {
	URI string `json:"uri" xml:"uri,attr"`
}

// LastSeen returns when the device last talked to plex.tv (zero when never).
func (d Device) LastSeen() time.Time {
	if d.LastSeenAt == 0 {
		return time.Time{}
	}
	return time.Unix(d.LastSeenAt, 0).UTC()
}

// List returns the account's authorized devices with their last known connections (GET
// /devices.xml).
func (s *DevicesService) List(ctx context.Context) ([]Device, error) {
	var out struct {
		Devices []Device `xml:"Device"`
	}
	if err := s.c.do(ctx, request{method: http.MethodGet, path: "/devices.xml", authed: true}, &out); err != nil {
		return nil, err
	}
	return out.Devices, nil
}

func devicePath(id int64) string { return "/devices/" + strconv.FormatInt(id, 10) + ".xml" }

// Rename gives the device id a new name (PUT /devices/{id}.xml?name=…). No studied client uses
// this call and its form is not documented; plexkit sends the name as a query parameter, as
// plex.tv's other legacy PUTs take their values.
func (s *DevicesService) Rename(ctx context.Context, id int64, name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("plextv: rename a device: the new name is empty")
	}
	return s.c.do(ctx, request{method: http.MethodPut, path: devicePath(id), query: url.Values{"name": {name}}, authed: true}, nil)
}

// RemoveOptions confirm what removing a device means.
type RemoveOptions struct {
	// ThisDevice confirms the removal of the device this client runs as (its client
	// identifier): its key and tokens stop working, this program included, until it logs in
	// again.
	ThisDevice bool
}

// ErrThisDevice matches (errors.Is) the refusal to remove the client's own device without
// RemoveOptions.ThisDevice.
var ErrThisDevice = errors.New("plextv: this is the device this program runs as")

// ThisDeviceError is Remove's refusal to remove the client's own device unconfirmed. It says
// what the removal would mean.
type ThisDeviceError struct {
	ID               int64
	Name             string
	ClientIdentifier string
}

// Error implements error.
func (e *ThisDeviceError) Error() string {
	return fmt.Sprintf("plextv: device %d (%s, client identifier %s) is the device this program runs as: removing it revokes its key and every token it holds, so this program stops working until you log in again; confirm with RemoveOptions.ThisDevice",
		e.ID, e.Name, e.ClientIdentifier)
}

// Is makes errors.Is(err, ErrThisDevice) true.
func (e *ThisDeviceError) Is(target error) bool { return target == ErrThisDevice }

// ErrNoSuchDevice matches (errors.Is) a Remove of a device the account does not have.
var ErrNoSuchDevice = errors.New("plextv: the account has no such device")

// Remove removes the device id from the account's authorized devices (DELETE
// /devices/{id}.xml): its tokens stop working and it can no longer refresh them.
//
// Remove first lists the devices (one GET) to learn whose the id is: removing the device this
// client runs as is refused with a *ThisDeviceError unless opts.ThisDevice confirms it, and an
// id the account does not have is ErrNoSuchDevice.
func (s *DevicesService) Remove(ctx context.Context, id int64, opts RemoveOptions) error {
	devices, err := s.List(ctx)
	if err != nil {
		return err
	}
	var found *Device
	for i := range devices {
		if devices[i].ID == id {
			found = &devices[i]
			break
		}
	}
	if found == nil {
		return fmt.Errorf("%w: no device has id %d", ErrNoSuchDevice, id)
	}
	if found.ClientIdentifier == s.c.info.ClientIdentifier && !opts.ThisDevice {
		return &ThisDeviceError{ID: found.ID, Name: found.Name, ClientIdentifier: found.ClientIdentifier}
	}
	return s.c.do(ctx, request{method: http.MethodDelete, path: devicePath(id), authed: true}, nil)
}
