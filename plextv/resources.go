package plextv

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ResourcesService lists the servers and devices of the account behind the client's token
// source, each with its connections and the token to use against it.
type ResourcesService struct{ c *Client }

// Resource is a server or device of the account (an element of GET /api/v2/resources).
// AccessToken is the token to present to this server — for a Plex Media Server, use it rather
// than the account's Plex JWT. The Resource's String, GoString and LogValue forms never show it;
// its JSON encoding does, since Resource mirrors plex.tv's wire format: do not marshal a
// Resource into a log or anywhere else the token must not go.
type Resource struct {
	Name                 string       `json:"name" xml:"name,attr"`
	Product              string       `json:"product" xml:"product,attr"`
	ProductVersion       string       `json:"productVersion" xml:"productVersion,attr"`
	Platform             string       `json:"platform" xml:"platform,attr"`
	PlatformVersion      string       `json:"platformVersion" xml:"platformVersion,attr"`
	Device               string       `json:"device" xml:"device,attr"`
	ClientIdentifier     string       `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	CreatedAt            time.Time    `json:"createdAt" xml:"createdAt,attr"`
	LastSeenAt           time.Time    `json:"lastSeenAt" xml:"lastSeenAt,attr"`
	Provides             string       `json:"provides" xml:"provides,attr"` // comma-separated: "server", "client,player", …
	OwnerID              int64        `json:"ownerId" xml:"ownerId,attr"`   // 0 when the caller owns it
	SourceTitle          string       `json:"sourceTitle" xml:"sourceTitle,attr"`
	PublicAddress        string       `json:"publicAddress" xml:"publicAddress,attr"`
	AccessToken          string       `json:"accessToken" xml:"accessToken,attr"`
	Owned                bool         `json:"owned" xml:"owned,attr"`
	Home                 bool         `json:"home" xml:"home,attr"`
	Synced               bool         `json:"synced" xml:"synced,attr"`
	Relay                bool         `json:"relay" xml:"relay,attr"`
	Presence             bool         `json:"presence" xml:"presence,attr"`
	HTTPSRequired        bool         `json:"httpsRequired" xml:"httpsRequired,attr"`
	PublicAddressMatches bool         `json:"publicAddressMatches" xml:"publicAddressMatches,attr"`
	Connections          []Connection `json:"connections" xml:"connections>connection"`
}

// Connection is one way to reach a resource.
type Connection struct {
	Protocol string `json:"protocol" xml:"protocol,attr"` // "http" or "https"
	Address  string `json:"address" xml:"address,attr"`
	Port     int    `json:"port" xml:"port,attr"`
	URI      string `json:"uri" xml:"uri,attr"`
	Local    bool   `json:"local" xml:"local,attr"`
	Relay    bool   `json:"relay" xml:"relay,attr"`
	IPv6     bool   `json:"IPv6" xml:"IPv6,attr"`
}

// IsServer reports whether the resource provides "server" (a Plex Media Server).
func (r Resource) IsServer() bool {
	return slices.Contains(strings.Split(r.Provides, ","), "server")
}

// String describes the resource without its access token.
func (r Resource) String() string {
	return fmt.Sprintf("%s (%s %s, %s, %d connections)", r.Name, r.Product, r.ClientIdentifier, ownership(r), len(r.Connections))
}

// GoString is String, so that %#v does not print the access token either.
func (r Resource) GoString() string { return r.String() }

// LogValue implements slog.LogValuer: the resource as a group of its identifying fields and
// connection URIs, without its access token (which JSON handlers would otherwise print).
func (r Resource) LogValue() slog.Value {
	uris := make([]string, len(r.Connections))
	for i, c := range r.Connections {
		uris[i] = c.URI
	}
	return slog.GroupValue(
		slog.String("name", r.Name),
		slog.String("product", r.Product),
		slog.String("clientIdentifier", r.ClientIdentifier),
		slog.String("provides", r.Provides),
		slog.String("ownership", ownership(r)),
		slog.Bool("home", r.Home),
		slog.Any("connections", uris),
	)
}

func ownership(r Resource) string {
	if r.Owned {
		return "owned"
	}
	if r.SourceTitle != "" {
		return "shared by " + r.SourceTitle
	}
	return "shared"
}

// resourceList is GET /api/v2/resources: a bare JSON array, or in XML the root's <resource>
// children.
type resourceList []Resource

// UnmarshalXML implements xml.Unmarshaler.
func (l *resourceList) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var body struct {
		Resources []Resource `xml:"resource"`
	}
	if err := d.DecodeElement(&body, &start); err != nil {
		return err
	}
	*l = body.Resources
	return nil
}

// List returns every resource of the account, with HTTPS, relay and IPv6 connections included.
func (s *ResourcesService) List(ctx context.Context) ([]Resource, error) {
	var out resourceList
	err := s.c.do(ctx, request{
		method: http.MethodGet,
		path:   "/api/v2/resources",
		query:  url.Values{"includeHttps": {"1"}, "includeRelay": {"1"}, "includeIPv6": {"1"}},
		authed: true,
	}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Servers returns the resources that are Plex Media Servers.
func (s *ResourcesService) Servers(ctx context.Context) ([]Resource, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r Resource) bool { return !r.IsServer() }), nil
}
