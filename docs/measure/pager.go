//go:build ignore

// pager counts, for 10 s, the requests and items of History.List against a server that ignores
// X-Plex-Container-Start (the same 250 items on every page, no totalSize).
package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/plexkit/plexkit/pms"
)

func main() {
	var b bytes.Buffer
	b.WriteString(`{"MediaContainer":{"size":250,"Metadata":[`)
	for i := range 250 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ratingKey":"%d","title":"Item %d"}`, i, i)
	}
	b.WriteString(`]}}`)
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		_, _ = w.Write(b.Bytes())
	}))
	defer srv.Close()
	c, err := pms.NewClient(srv.URL, pms.WithToken("t"))
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	items := 0
	var last error
	for _, err := range c.History.List(ctx, pms.HistoryOptions{}) {
		if err != nil {
			last = err
			break
		}
		items++
	}
	fmt.Printf("%d requests, %d items; ended with: %v\n", requests.Load(), items, last)
}
