package doctor_test

import (
	"slices"
	"testing"

	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/plextv"
)

func TestMatchServers(t *testing.T) {
	t.Parallel()
	servers := []plextv.Resource{
		{Name: "nas", ClientIdentifier: "aaa111", Connections: []plextv.Connection{{URI: "http://192.168.1.10:32400"}, {URI: "https://1-2-3-4.abc.plex.direct:32400"}}},
		{Name: "Vault", ClientIdentifier: "bbb222", Connections: []plextv.Connection{{URI: "https://vault.example.com"}}},
		{Name: "nas", ClientIdentifier: "ccc333", Connections: []plextv.Connection{{URI: "http://10.0.0.2:32400"}}},
	}
	for _, tc := range []struct {
		name, sel string
		want      []string // machine identifiers
	}{
		{"empty", "", nil},
		{"name, case-insensitive", "vault", []string{"bbb222"}},
		{"a name two servers share", "nas", []string{"aaa111", "ccc333"}},
		{"machine identifier", "ccc333", []string{"ccc333"}},
		{"URL of a connection", "http://192.168.1.10:32400", []string{"aaa111"}},
		{"URL with a trailing slash and path", "http://192.168.1.10:32400/web/", []string{"aaa111"}},
		{"URL with the default port", "https://vault.example.com:443", []string{"bbb222"}},
		{"URL host in capitals", "HTTPS://1-2-3-4.ABC.plex.direct:32400", []string{"aaa111"}},
		{"a URL no server lists", "http://192.168.1.99:32400", nil},
		{"an unknown name", "attic", nil},
		{"surrounding space", "  Vault ", []string{"bbb222"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, s := range doctor.MatchServers(servers, tc.sel) {
				got = append(got, s.ClientIdentifier)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("MatchServers(%q) = %q, want %q", tc.sel, got, tc.want)
			}
		})
	}
}

func TestIsURL(t *testing.T) {
	t.Parallel()
	for sel, want := range map[string]bool{
		"http://127.0.0.1:32400": true, "https://example.com/plex": true, "alice-nas": false,
		"ftp://example.com": false, "http://": false, "eb5c1e62c8f99a52021261ad11499d088c0aa83a": false,
	} {
		if got := doctor.IsURL(sel); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", sel, got, want)
		}
	}
}
