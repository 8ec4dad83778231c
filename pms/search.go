package pms

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SearchService searches the libraries.
type SearchService service

// Hub is a group of search results, one per kind of item (movies, shows, …).
type Hub struct {
	HubIdentifier string   `json:"hubIdentifier" xml:"hubIdentifier,attr"`
	Key           string   `json:"key,omitempty" xml:"key,attr"` // the hub's whole list, when More
	HubKey        string   `json:"hubKey,omitempty" xml:"hubKey,attr"`
	Title         string   `json:"title" xml:"title,attr"`
	Type          string   `json:"type" xml:"type,attr"`
	Context       string   `json:"context,omitempty" xml:"context,attr"`
	Size          FlexInt  `json:"size" xml:"size,attr"`
	More          FlexBool `json:"more" xml:"more,attr"` // the server has more results than it sent
	// Items are the results. In XML they are elements named after their kind (Video,
	// Directory, …); in JSON they are under "Metadata".
	Items []Item `json:"Metadata,omitempty" xml:",any"`
}

// Hubs searches the sections the token may see for query (GET /hubs/search) and returns one
// hub per kind of item, each with at most limit items (0: the server's default).
func (s *SearchService) Hubs(ctx context.Context, query string, limit int) ([]Hub, error) {
	if strings.TrimSpace(query) == "" {
		return nil, &ArgumentError{"query", "is empty"}
	}
	if limit < 0 {
		return nil, &ArgumentError{"limit", fmt.Sprintf("%d is negative (0 is the server's default)", limit)}
	}
	q := url.Values{"query": {query}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	out := []Hub{}
	_, err := s.client.do(ctx, &request{
		method: http.MethodGet, path: "hubs/search", query: q,
		childKeys: []string{"Hub"}, child: collect(&out, "Hub"),
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
