package plextv

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// WebhooksService lists and changes the URLs plex.tv posts the account's events to (play,
// pause, scrobble, new media…). Webhooks need Plex Pass: without it plex.tv refuses every call.
//
// plex.tv stores the list as a whole: Add and Remove read it and write it back changed, so two
// programs changing it at the same moment may lose one change.
type WebhooksService struct{ c *Client }

// webhookList is GET /api/v2/user/webhooks: in JSON an array of {"url"} objects (or of bare
// strings, which @ctrl/plex also accepts); in XML <webhook url="…"/> children of the root.
type webhookList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *webhookList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := webhookList{}
	for i, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var o struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(r, &o); err != nil {
			return fmt.Errorf("webhook %d: neither a URL nor an object with one: %w", i, err)
		}
		out = append(out, o.URL)
	}
	*l = out
	return nil
}

// UnmarshalXML implements xml.Unmarshaler.
func (l *webhookList) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var body struct {
		Webhooks []struct {
			URL string `xml:"url,attr"`
		} `xml:"webhook"`
	}
	if err := d.DecodeElement(&body, &start); err != nil {
		return err
	}
	out := webhookList{}
	for _, w := range body.Webhooks {
		out = append(out, w.URL)
	}
	*l = out
	return nil
}

// List returns the account's webhook URLs (GET /api/v2/user/webhooks).
func (s *WebhooksService) List(ctx context.Context) ([]string, error) {
	var out webhookList
	if err := s.c.do(ctx, request{method: http.MethodGet, path: "/api/v2/user/webhooks", authed: true}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Set replaces the account's webhook URLs with urls (POST /api/v2/user/webhooks; none clears
// the list) and returns the list plex.tv keeps.
func (s *WebhooksService) Set(ctx context.Context, urls []string) ([]string, error) {
	for _, u := range urls {
		if err := CheckWebhookURL(u); err != nil {
			return nil, err
		}
	}
	form := url.Values{"urls[]": urls}
	if len(urls) == 0 {
		form = url.Values{"urls": {""}} // how plex.tv is told to clear the list
	}
	var out webhookList
	if err := s.c.do(ctx, request{method: http.MethodPost, path: "/api/v2/user/webhooks", form: form, authed: true}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Add adds u to the account's webhooks (nothing changes when it is there already) and returns
// the new list.
func (s *WebhooksService) Add(ctx context.Context, u string) ([]string, error) {
	if err := CheckWebhookURL(u); err != nil {
		return nil, err
	}
	urls, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	if slices.Contains(urls, u) {
		return urls, nil
	}
	return s.Set(ctx, append(urls, u))
}

// ErrNoSuchWebhook matches (errors.Is) a Remove of a URL that is not among the webhooks.
var ErrNoSuchWebhook = errors.New("plextv: no such webhook")

// Remove removes u from the account's webhooks and returns the new list; a URL that is not
// there is ErrNoSuchWebhook.
func (s *WebhooksService) Remove(ctx context.Context, u string) ([]string, error) {
	urls, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	kept := slices.DeleteFunc(slices.Clone(urls), func(v string) bool { return v == u })
	if len(kept) == len(urls) {
		return nil, fmt.Errorf("%w: %q is not among the account's %d webhooks", ErrNoSuchWebhook, u, len(urls))
	}
	return s.Set(ctx, kept)
}

// CheckWebhookURL reports whether u can be a webhook: an absolute http or https URL, which
// plex.tv will POST events to.
func CheckWebhookURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("plextv: webhook %q is not an absolute http(s) URL", u)
	}
	if strings.ContainsAny(u, " \t\r\n") {
		return fmt.Errorf("plextv: webhook %q contains white space", u)
	}
	return nil
}
