package pms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestXMLAndJSONDecodeIdentically reads every area of the API in both encodings and compares
// the results field by field.
func TestXMLAndJSONDecodeIdentically(t *testing.T) {
	t.Parallel()
	// The clock stands still, so that nothing moves between the two reads of an area (the
	// seeded players report every 10 s of it).
	e := startEmulator(t, emulator.Options{LibrarySize: 600, FreezeClock: true})
	ctx := context.Background()
	js := clientFor(t, e, "alice", nas)
	xs := clientFor(t, e, "alice", nas, pms.WithXML())
	movies := collectItems(t, js.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 1}))
	shows := collectItems(t, js.Library.Items(ctx, "2", pms.ItemsOptions{Limit: 1}))
	if len(movies) != 1 || len(shows) != 1 {
		t.Fatal("the emulator's sections are empty")
	}
	calls := []struct {
		name string
		call func(c *pms.Client) (any, error)
		// nonEmpty reports whether the result holds data, so that two empty results do not pass.
		nonEmpty func(v any) bool
	}{
		{"identity", func(c *pms.Client) (any, error) { return c.Server.Identity(ctx) },
			func(v any) bool { return v.(*pms.Identity).MachineIdentifier != "" && bool(v.(*pms.Identity).Claimed) }},
		{"info", func(c *pms.Client) (any, error) { return c.Server.Info(ctx) },
			func(v any) bool {
				i := v.(*pms.ServerInfo)
				return i.FriendlyName == nas && len(i.Directories) > 0 && bool(i.TranscoderVideo)
			}},
		{"sections", func(c *pms.Client) (any, error) { return c.Library.Sections(ctx) },
			func(v any) bool {
				s := v.([]pms.Section)
				return len(s) == 4 && s[2].Type == "artist" && s[3].Type == "photo" && len(s[0].Locations) == 1 && bool(s[0].AllowSync)
			}},
		{"movies, in pages of 137", func(c *pms.Client) (any, error) {
			return collectErr(c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: 137}))
		}, func(v any) bool { s := v.([]pms.Item); return len(s) == 600 && len(s[0].Media[0].Parts) == 1 }},
		{"shows", func(c *pms.Client) (any, error) { return collectErr(c.Library.Items(ctx, "2", pms.ItemsOptions{})) },
			func(v any) bool {
				s := v.([]pms.Item)
				return len(s) == 350 && s[0].Type == "show" && s[0].ChildCount > 0
			}},
		{"movie", func(c *pms.Client) (any, error) { return c.Library.Metadata(ctx, string(movies[0].RatingKey)) },
			func(v any) bool { return v.(*pms.Item).Media[0].Bitrate > 0 }},
		{"show", func(c *pms.Client) (any, error) { return c.Library.Metadata(ctx, string(shows[0].RatingKey)) },
			func(v any) bool { return v.(*pms.Item).Type == "show" }},
		{"sessions", func(c *pms.Client) (any, error) { return c.Sessions.List(ctx) },
			func(v any) bool {
				s := v.([]pms.Session)
				return len(s) == 2 && bool(s[0].Player.Local) && s[0].User.ID != ""
			}},
		{"history", func(c *pms.Client) (any, error) {
			return c.History.ListAll(ctx, pms.HistoryOptions{Sort: "viewedAt:desc", PageSize: 2})
		}, func(v any) bool { s := v.([]pms.HistoryEntry); return len(s) >= 6 && s[0].ViewedAt >= s[1].ViewedAt }},
		{"search", func(c *pms.Client) (any, error) { return c.Search.Hubs(ctx, "river", 3) },
			func(v any) bool {
				// "river" is in generated titles of every section: a hub per type, each full.
				var types []string
				for _, hub := range v.([]pms.Hub) {
					if len(hub.Items) != 3 {
						return false
					}
					types = append(types, hub.Type)
				}
				return slices.Equal(types, []string{"movie", "show", "artist", "track", "album", "photo"})
			}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fromJSON, err := tt.call(js)
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			fromXML, err := tt.call(xs)
			if err != nil {
				t.Fatalf("XML: %v", err)
			}
			if !tt.nonEmpty(fromJSON) {
				t.Errorf("the JSON result lacks data: %+v", fromJSON)
			}
			if !reflect.DeepEqual(fromJSON, fromXML) {
				t.Errorf("JSON and XML differ:\nJSON %+v\nXML  %+v", fromJSON, fromXML)
			}
		})
	}
}

func collectErr[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func TestItemsPaging(t *testing.T) {
	t.Parallel()
	// The clock stands still: the seeded players' reports (every 10 s of it) would move
	// alice's offset in an item between the full listing and the others.
	e := startEmulator(t, emulator.Options{LibrarySize: 1000, FreezeClock: true})
	ctx := context.Background()
	c := clientFor(t, e, "alice", nas)
	total, err := c.Library.ItemCount(ctx, "1")
	if err != nil || total != 1000 {
		t.Fatalf("ItemCount = %d, %v; want 1000", total, err)
	}
	all := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: pms.MaxPageSize}))
	if len(all) != total {
		t.Fatalf("listed %d items, want %d", len(all), total)
	}
	seen := map[pms.FlexString]bool{}
	for _, it := range all {
		if seen[it.RatingKey] || it.LibrarySectionID != "1" || it.LibrarySectionTitle != "Movies" {
			t.Fatalf("item %+v is a duplicate or lacks its section", it)
		}
		seen[it.RatingKey] = true
	}
	tests := []struct {
		name  string
		opts  pms.ItemsOptions
		first int // index in all of the first item
		n     int
	}{
		{"default page size", pms.ItemsOptions{}, 0, 1000},
		{"pages of 7, limit 50", pms.ItemsOptions{PageSize: 7, Limit: 50}, 0, 50},
		{"pages of 1, limit 3", pms.ItemsOptions{PageSize: 1, Limit: 3}, 0, 3},
		{"page size dividing the total", pms.ItemsOptions{PageSize: 250}, 0, 1000},
		{"start near the end", pms.ItemsOptions{Start: 990, PageSize: 3}, 990, 10},
		{"start and limit", pms.ItemsOptions{Start: 10, Limit: 25, PageSize: 10}, 10, 25},
		{"limit beyond the end", pms.ItemsOptions{Start: 995, Limit: 100}, 995, 5},
		{"start past the end", pms.ItemsOptions{Start: 5000}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := collectItems(t, c.Library.Items(ctx, "1", tt.opts))
			if len(got) != tt.n {
				t.Fatalf("listed %d items, want %d", len(got), tt.n)
			}
			if tt.n > 0 && !reflect.DeepEqual(got, all[tt.first:tt.first+tt.n]) {
				t.Errorf("the items differ from the full listing's %d..%d", tt.first, tt.first+tt.n)
			}
		})
	}
}

func TestItemsStopEarly(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	c := clientFor(t, e, "alice", nas)
	e.ResetStats()
	n := 0
	for _, err := range c.Library.Items(context.Background(), "1", pms.ItemsOptions{PageSize: 10}) {
		must(t, err)
		if n++; n == 10 { // the last item of the first page
			break
		}
	}
	if got := statsFor(e, nas, "GET /library/sections/{sectionId}/all"); got != 1 {
		t.Errorf("the server was asked for %d pages, want 1", got)
	}
}

func TestArgumentsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c := clientFor(t, e, "alice", nas)
	e.ResetStats()
	iterErr := func(seq func(func(pms.Item, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	histErr := func(opts pms.HistoryOptions) error {
		for _, err := range c.History.List(ctx, opts) {
			return err
		}
		return nil
	}
	tests := []struct {
		name string
		err  error
		arg  string
	}{
		{"section key with a slash", iterErr(c.Library.Items(ctx, "../identity", pms.ItemsOptions{})), "sectionKey"},
		{"empty section key", iterErr(c.Library.Items(ctx, "", pms.ItemsOptions{})), "sectionKey"},
		{"negative page size", iterErr(c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: -1})), "PageSize"},
		{"page size over the maximum", iterErr(c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: pms.MaxPageSize + 1})), "PageSize"},
		{"negative start", iterErr(c.Library.Items(ctx, "1", pms.ItemsOptions{Start: -1})), "Start"},
		{"negative limit", iterErr(c.Library.Items(ctx, "1", pms.ItemsOptions{Limit: -1})), "Limit"},
		{"count of a bad key", func() error { _, err := c.Library.ItemCount(ctx, "1?x"); return err }(), "sectionKey"},
		{"rating key with a query", func() error { _, err := c.Library.Metadata(ctx, "1?X-Plex-Token=x"); return err }(), "ratingKey"},
		{"empty search", func() error { _, err := c.Search.Hubs(ctx, "  ", 1); return err }(), "query"},
		{"negative search limit", func() error { _, err := c.Search.Hubs(ctx, "river", -1); return err }(), "limit"},
		{"negative account", histErr(pms.HistoryOptions{AccountID: -1}), "AccountID"},
		{"bad history section", histErr(pms.HistoryOptions{LibrarySectionID: "a/b"}), "LibrarySectionID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae *pms.ArgumentError
			if !errors.As(tt.err, &ae) || ae.Arg != tt.arg {
				t.Errorf("error = %v, want an *ArgumentError for %s", tt.err, tt.arg)
			}
		})
	}
	if s := e.Stats(); len(s) != 0 {
		t.Errorf("refused calls reached the server: %v", s)
	}
}

func TestServerErrors(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c := clientFor(t, e, "alice", nas)
	t.Run("unknown item", func(t *testing.T) {
		t.Parallel()
		_, err := c.Library.Metadata(ctx, "999999")
		var pe *plexkit.Error
		if !errors.Is(err, plexkit.ErrNotFound) || !errors.As(err, &pe) || !strings.Contains(pe.URL, "/library/metadata/999999") {
			t.Fatalf("Metadata = %v, want a 404 *plexkit.Error naming the URL", err)
		}
	})
	t.Run("unknown section", func(t *testing.T) {
		t.Parallel()
		if _, err := c.Library.ItemCount(ctx, "77"); !errors.Is(err, plexkit.ErrNotFound) {
			t.Fatalf("ItemCount = %v, want ErrNotFound", err)
		}
	})
	t.Run("search without results", func(t *testing.T) {
		t.Parallel()
		hubs, err := c.Search.Hubs(ctx, "zzzzqqqq", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hubs {
			if len(h.Items) != 0 {
				t.Errorf("hub %s has %d items", h.Title, len(h.Items))
			}
		}
	})
}

// TestRetries checks that transient failures of idempotent calls are retried by the retry
// transport, and that a POST is not.
func TestRetries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name    string
		pattern string
		fault   emulator.Fault
		call    func(c *pms.Client) error
		wantErr error
		tries   int
	}{
		{"one 503", "pms:alice-nas GET /library/sections", emulator.Fault{Status: 503, Count: 1},
			func(c *pms.Client) error { _, err := c.Library.Sections(ctx); return err }, nil, 2},
		{"a dropped connection", "pms:alice-nas GET /library/sections", emulator.Fault{Drop: true, Count: 1},
			func(c *pms.Client) error { _, err := c.Library.Sections(ctx); return err }, nil, 2},
		{"lasting 500s", "pms:alice-nas GET /library/sections", emulator.Fault{Status: 500},
			func(c *pms.Client) error { _, err := c.Library.Sections(ctx); return err }, plexkit.ErrServer, 3},
		{"a 503 on a page", "pms:alice-nas GET /library/sections/{sectionId}/all", emulator.Fault{Status: 503, Count: 1},
			func(c *pms.Client) error {
				_, err := collectErr(c.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 5}))
				return err
			}, nil, 2},
		{"a POST is not retried", "pms:alice-nas POST /security/token", emulator.Fault{Status: 503, Count: 1},
			func(c *pms.Client) error { _, err := c.Security.TransientToken(ctx); return err }, plexkit.ErrServer, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{})
			c := clientFor(t, e, "alice", nas)
			e.SetFault(tt.pattern, tt.fault)
			err := tt.call(c)
			if (tt.wantErr == nil && err != nil) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got := e.Stats()[tt.pattern]; got != tt.tries {
				t.Errorf("%d tries, want %d (stats %v)", got, tt.tries, e.Stats())
			}
		})
	}
}

// TestUnusableAnswers runs the client against servers that answer 200 with what a PMS would
// not: the client must say what is wrong.
func TestUnusableAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// secondPageErr lists pages of 2 and returns the error, which must come before any item of
	// the second page.
	secondPageErr := func(c *pms.Client) error {
		n := 0
		for _, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: 2}) {
			if err != nil {
				if n != 2 {
					return fmt.Errorf("%d items before the error, want the first page's 2 (%v)", n, err)
				}
				return err
			}
			n++
		}
		return nil
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		call    func(c *pms.Client) error
		reason  string
	}{
		{"not a MediaContainer",
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>Welcome</html>") },
			func(c *pms.Client) error { _, err := c.Library.Sections(ctx); return err }, "not <MediaContainer>"},
		{"text",
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "OK") },
			func(c *pms.Client) error { _, err := c.Server.Identity(ctx); return err }, "neither JSON nor XML"},
		{"a page that ignores the start",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Plex-Container-Start", "0")
				w.Header().Set("X-Plex-Container-Total-Size", "4")
				fmt.Fprint(w, `{"MediaContainer":{"size":2,"Metadata":[{"ratingKey":"1"},{"ratingKey":"2"}]}}`)
			},
			secondPageErr, "does not page"},
		{"a page whose container says it ignored the start",
			func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `<MediaContainer size="2" totalSize="4" offset="0"><Video ratingKey="1"/><Video ratingKey="2"/></MediaContainer>`)
			},
			secondPageErr, "does not page"},
		{"an empty page before the end",
			func(w http.ResponseWriter, r *http.Request) {
				start := r.Header.Get("X-Plex-Container-Start")
				w.Header().Set("X-Plex-Container-Start", start)
				w.Header().Set("X-Plex-Container-Total-Size", "4")
				if start != "0" { // the list is cut short after the first page
					fmt.Fprint(w, `{"MediaContainer":{"size":0}}`)
					return
				}
				fmt.Fprint(w, `{"MediaContainer":{"size":2,"Metadata":[{"ratingKey":"1"},{"ratingKey":"2"}]}}`)
			},
			secondPageErr, "the server sent no items from offset 2 of 4"},
		{"an empty page before the end, totalled in the container",
			func(w http.ResponseWriter, r *http.Request) {
				start := r.Header.Get("X-Plex-Container-Start")
				if start != "0" {
					fmt.Fprintf(w, `<MediaContainer size="0" totalSize="4" offset="%s"/>`, start)
					return
				}
				fmt.Fprint(w, `<MediaContainer size="2" totalSize="4" offset="0"><Video ratingKey="1"/><Video ratingKey="2"/></MediaContainer>`)
			},
			secondPageErr, "the server sent no items from offset 2 of 4"},
		{"no transient token",
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"MediaContainer":{"size":0}}`) },
			func(c *pms.Client) error { _, err := c.Security.TransientToken(ctx); return err }, "no usable token"},
		{"no item",
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"MediaContainer":{"size":0}}`) },
			func(c *pms.Client) error { _, err := c.Library.Metadata(ctx, "5"); return err }, "no item"},
		{"no total",
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"MediaContainer":{"size":0}}`) },
			func(c *pms.Client) error { _, err := c.Library.ItemCount(ctx, "1"); return err }, "no total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			err := tt.call(newClient(t, srv.URL, pms.WithToken("abcdefghij0123456789")))
			var re *pms.ResponseError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("error = %v, want a *ResponseError saying %q", err, tt.reason)
			}
		})
	}
}

// TestItemsWithoutTotal pages a list whose server gives no total: the iteration ends at the
// first short page.
func TestItemsWithoutTotal(t *testing.T) {
	t.Parallel()
	const n = 23
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		start, _ := strconv.Atoi(r.Header.Get("X-Plex-Container-Start"))
		size, _ := strconv.Atoi(r.Header.Get("X-Plex-Container-Size"))
		var b strings.Builder
		b.WriteString(`<MediaContainer>`)
		for i := start; i < min(start+size, n); i++ {
			fmt.Fprintf(&b, `<Track ratingKey="%d" type="track"/>`, i)
		}
		b.WriteString(`</MediaContainer>`)
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	items := collectItems(t, c.Library.Items(context.Background(), "1", pms.ItemsOptions{PageSize: 5}))
	if len(items) != n || items[n-1].RatingKey != pms.FlexString(strconv.Itoa(n-1)) || pages.Load() != 5 {
		t.Fatalf("listed %d items in %d pages, want %d in 5", len(items), pages.Load(), n)
	}
}

func TestTransientToken(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	url := serverInfo(t, e, nas).URL
	for _, tt := range []struct {
		user     string
		sessions bool // may the transient token list sessions (is the user admin)?
	}{{"alice", true}, {"bob", false}} {
		t.Run(tt.user, func(t *testing.T) {
			t.Parallel()
			tok, err := clientFor(t, e, tt.user, nas).Security.TransientToken(ctx)
			if err != nil || !strings.HasPrefix(tok, "transient-") {
				t.Fatalf("TransientToken = %v", err)
			}
			c := newClient(t, url, pms.WithToken(tok))
			if _, err := c.Library.Sections(ctx); err != nil {
				t.Errorf("Sections with the transient token: %v", err)
			}
			_, err = c.Sessions.List(ctx)
			if tt.sessions != (err == nil) {
				t.Errorf("Sessions.List with %s's transient token: %v", tt.user, err)
			}
			if err != nil && strings.Contains(err.Error(), tok) {
				t.Errorf("the error shows the transient token: %v", err)
			}
		})
	}
}
