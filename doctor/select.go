package doctor

import (
	"net/url"
	"strings"

	"github.com/plexkit/plexkit/plextv"
)

// MatchServers returns the servers that selector names: by name (case-insensitive), by machine
// identifier (clientIdentifier), or by the URL of one of their connections (scheme, host and
// port; a path or trailing slash is ignored). It returns every match, so that a name two servers
// share can be reported as ambiguous.
func MatchServers(servers []plextv.Resource, selector string) []plextv.Resource {
	sel := strings.TrimSpace(selector)
	if sel == "" {
		return nil
	}
	var byID, byName, byURL []plextv.Resource
	key, isURL := urlKey(sel)
	for _, s := range servers {
		switch {
		case s.ClientIdentifier == sel:
			byID = append(byID, s)
		case strings.EqualFold(s.Name, sel):
			byName = append(byName, s)
		case isURL && hasConnection(s, key):
			byURL = append(byURL, s)
		}
	}
	// A machine identifier is unique; a URL names one server; names may repeat across owners.
	switch {
	case len(byID) > 0:
		return byID
	case len(byURL) > 0:
		return byURL
	}
	return byName
}

// IsURL reports whether selector is an absolute http(s) URL rather than a name or identifier.
func IsURL(selector string) bool {
	_, ok := urlKey(strings.TrimSpace(selector))
	return ok
}

// urlKey reduces an absolute http(s) URL to scheme://host:port for comparison.
func urlKey(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.ToLower(u.Scheme + "://" + u.Hostname() + ":" + port), true
}

func hasConnection(s plextv.Resource, key string) bool {
	for _, c := range s.Connections {
		if k, ok := urlKey(c.URI); ok && k == key {
			return true
		}
	}
	return false
}

// ServerNames lists the names of servers, for messages that name the choices.
func ServerNames(servers []plextv.Resource) []string {
	names := make([]string, 0, len(servers))
	for _, s := range servers {
		names = append(names, s.Name)
	}
	return names
}
