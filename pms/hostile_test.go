package pms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

// Hostile servers: each answers with something a PMS never sends, built to make a client hold
// too much, loop forever or wait forever. The client must end each with an error.

// hostileClient returns a client of a server that answers every request with answer.
func hostileClient(tb testing.TB, answer http.HandlerFunc) *pms.Client {
	tb.Helper()
	srv := httptest.NewServer(answer)
	tb.Cleanup(srv.Close)
	c, err := pms.NewClient(srv.URL, pms.WithToken("hostile-test-token"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// repeated returns prefix, n copies of elem separated by sep, and suffix.
func repeated(prefix, elem, sep, suffix string, n int) []byte {
	var b bytes.Buffer
	b.Grow(len(prefix) + n*(len(elem)+len(sep)) + len(suffix))
	b.WriteString(prefix)
	for i := range n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(elem)
	}
	b.WriteString(suffix)
	return b.Bytes()
}

func serveBytes(body []byte, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}
}

// endless is a body that never ends: an opening, then unit forever.
type endless struct {
	head []byte
	unit []byte
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(e.head) > 0 {
			c := copy(p[n:], e.head)
			e.head = e.head[c:]
			n += c
			continue
		}
		c := copy(p[n:], e.unit[e.off:])
		e.off = (e.off + c) % len(e.unit)
		n += c
	}
	return n, nil
}

func serveEndless(head, unit string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, &endless{head: []byte(head), unit: []byte(unit)})
	}
}

// The attack of the issue: small elements that each decode into a large struct. Today's sizes
// are far below the 4 MB that took 0.85 GB; the bound must refuse them all the same.
func TestHostileSessionsAreBounded(t *testing.T) {
	cases := []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"JSON many elements", serveBytes(repeated(`{"MediaContainer":{"size":1,"Metadata":[`, `{"ratingKey":"1"}`, ",", `]}}`, 60_000), "application/json"),
			"more than 20000 objects and arrays"},
		{"XML many elements", serveBytes(repeated(`<MediaContainer size="1">`, `<Video ratingKey="1"/>`, "", `</MediaContainer>`, 60_000), "text/xml"),
			"more than 20000 elements"},
		{"JSON endless", serveEndless(`{"MediaContainer":{"Metadata":[`, `{"ratingKey":"1"},`), "more than 20000 objects and arrays"},
		{"XML endless", serveEndless(`<MediaContainer>`, `<Video ratingKey="1"/>`), "more than 20000 elements"},
		{"JSON endless string", serveEndless(`{"MediaContainer":{"Metadata":[{"title":"`, `aaaaaaaa`), "longer than 1048576 bytes"},
		{"XML endless attribute", serveEndless(`<MediaContainer><Video title="`, `aaaaaaaa`), "longer than 1048576 bytes"},
		{"JSON deep", serveEndless(`{"MediaContainer":{"Metadata":[`, `[`), "nests deeper than 64 levels"},
		{"JSON deep in a skipped field", serveEndless(`{"other":`, `[`), "nests deeper than 64 levels"},
		{"XML deep in a skipped element", serveEndless(`<MediaContainer><Other>`, `<a>`), "nests deeper than 64 levels"},
		{"JSON one huge element", serveEndless(`{"MediaContainer":{"Metadata":[{"Media":[`, `{"id":1},`), "element of more than 10000 objects and arrays"},
		{"JSON big unread container field", serveEndless(`{"MediaContainer":{"junk":[`, `"aaaaaaaaaaaaaaaa",`), "larger than 16777216 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := hostileClient(t, tc.h)
			got, err := c.Sessions.List(context.Background())
			if err == nil {
				t.Fatalf("Sessions.List accepted the answer (%d sessions); want an error saying it %s", len(got), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "/status/sessions") {
				t.Fatalf("err = %v\nwant the endpoint and %q", err, tc.want)
			}
		})
	}
}

// A streamed page holds one item at a time, but one item must not be unbounded either.
func TestHostilePageElementIsBounded(t *testing.T) {
	c := hostileClient(t, serveEndless(`{"MediaContainer":{"Metadata":[{"ratingKey":"1","Genre":[`, `{"tag":"x"},`))
	n := 0
	var err error
	for _, err = range c.Library.Items(context.Background(), "1", pms.ItemsOptions{}) {
		if err != nil {
			break
		}
		n++
	}
	if err == nil || !strings.Contains(err.Error(), "element of more than 10000 objects and arrays") {
		t.Fatalf("after %d items: err = %v; want the element bound", n, err)
	}
}

// A server that ignores X-Plex-Container-Start and says nothing of where its pages start sends
// the same page forever. The iteration must end with an error once the page repeats.
func TestHostilePagerRepeatedPage(t *testing.T) {
	for _, format := range []string{"json", "xml"} {
		t.Run(format, func(t *testing.T) {
			var requests atomic.Int64
			page := func() []byte {
				var b bytes.Buffer
				if format == "json" {
					b.WriteString(`{"MediaContainer":{"size":250,"Metadata":[`)
					for i := range 250 {
						if i > 0 {
							b.WriteByte(',')
						}
						fmt.Fprintf(&b, `{"ratingKey":"%d","title":"Item %d"}`, i, i)
					}
					b.WriteString(`]}}`)
				} else {
					b.WriteString(`<MediaContainer size="250">`)
					for i := range 250 {
						fmt.Fprintf(&b, `<Video ratingKey="%d" title="Item %d"/>`, i, i)
					}
					b.WriteString(`</MediaContainer>`)
				}
				return b.Bytes()
			}()
			c := hostileClient(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				_, _ = w.Write(page)
			})
			n := 0
			var err error
			for _, err = range c.History.List(context.Background(), pms.HistoryOptions{}) {
				if err != nil || n > 10_000 {
					break
				}
				n++
			}
			if err == nil {
				t.Fatalf("the iteration went on: %d entries in %d requests, no error", n, requests.Load())
			}
			if !strings.Contains(err.Error(), "does not page this list") {
				t.Fatalf("err = %v", err)
			}
			if n != pms.DefaultPageSize || requests.Load() != 2 {
				t.Fatalf("%d entries in %d requests before the error; want one page (%d) in 2 requests", n, requests.Load(), pms.DefaultPageSize)
			}
		})
	}
}

// A page whose elements differ but whose server never pages (the same first item, the rest
// shuffled) is a repeat as well.
func TestHostilePagerCycle(t *testing.T) {
	var requests atomic.Int64
	c := hostileClient(t, func(w http.ResponseWriter, r *http.Request) {
		k := requests.Add(1) % 3 // three different pages, in a cycle
		var b bytes.Buffer
		b.WriteString(`{"MediaContainer":{"Metadata":[`)
		for i := range 200 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"ratingKey":"%d"}`, int(k)*1000+i)
		}
		b.WriteString(`]}}`)
		_, _ = w.Write(b.Bytes())
	})
	var err error
	n := 0
	for _, err = range c.Library.Items(context.Background(), "1", pms.ItemsOptions{}) {
		if err != nil || n > 10_000 {
			break
		}
		n++
	}
	if err == nil || requests.Load() != 4 {
		t.Fatalf("after %d items in %d requests: err = %v; want an error at the 4th request", n, requests.Load(), err)
	}
	var re *pms.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("err = %T %v, want a *pms.ResponseError", err, err)
	}
}

// BenchmarkHostileSessions16MB answers GET /status/sessions with the 16 MB body of
// {"ratingKey":"1"} elements. Its peak memory is the figure in docs/benchmarks.md: run it alone
// under /usr/bin/time -v (see there).
func BenchmarkHostileSessions16MB(b *testing.B) {
	body := repeated(`{"MediaContainer":{"size":1,"Metadata":[`, `{"ratingKey":"1"}`, ",", `]}}`, 16<<20/18)
	c := hostileClient(b, serveBytes(body, "application/json"))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := c.Sessions.List(context.Background()); err == nil {
			b.Log("the answer was accepted")
		}
	}
}

// An answer of the wrong shape is an error naming the endpoint, never an empty list.
func TestMalformedAnswersAreErrors(t *testing.T) {
	for _, body := range []string{
		`{"MediaContainer":{"size":2,"Directory":[null,null]}}`,
		`{"MediaContainer":{"size":2,"Metadata":[{"key":"1"},{"key":"2"}]}}`,
		`{"MediaContainer":{"size":"2"}}`,
		`<MediaContainer size="2"><Video key="1"/><Video key="2"/></MediaContainer>`,
	} {
		c := hostileClient(t, serveBytes([]byte(body), "application/json"))
		got, err := c.Library.Sections(context.Background())
		if err == nil || !strings.Contains(err.Error(), "/library/sections") {
			t.Errorf("%s: %d sections, err = %v; want an error naming the endpoint", body, len(got), err)
		}
	}
	// An empty list is still one.
	for _, body := range []string{`{"MediaContainer":{"size":0}}`, `<MediaContainer size="0"/>`, `{"MediaContainer":{"size":0,"Directory":[]}}`} {
		c := hostileClient(t, serveBytes([]byte(body), "application/json"))
		if got, err := c.Library.Sections(context.Background()); err != nil || len(got) != 0 {
			t.Errorf("%s: %v, %v; want an empty list", body, got, err)
		}
	}
}

// Headers at once, then one byte every 20 ms: never idle for long, and never done. The client
// must end it with an error naming the cause, under its own bound, not the caller's deadline.
func TestHostileSlowBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &plexkit.BodyTimeoutTransport{Idle: 300 * time.Millisecond, MinRate: 1000}}
	c, err := pms.NewClient(srv.URL, pms.WithToken("hostile-test-token"), pms.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a backstop only
	defer cancel()
	_, err = c.Sessions.List(ctx)
	var slow *plexkit.SlowBodyError
	if !errors.As(err, &slow) || !strings.Contains(err.Error(), "/status/sessions") || !strings.Contains(err.Error(), "too slowly") {
		t.Fatalf("err = %v; want a *plexkit.SlowBodyError naming the endpoint", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the backstop deadline ended the call")
	}
}
