package pms

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// BenchmarkDecode measures how fast a page of library items decodes, in JSON and XML, from
// pages the emulator's alice-nas serves (fetched once, decoded b.N times from memory).
func BenchmarkDecode(b *testing.B) {
	e := emulator.New(emulator.Options{LibrarySize: 1000})
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var nasURL string
	for _, s := range e.Servers() {
		if s.Name == emulator.ServerAliceNAS {
			nasURL = s.URL
		}
	}
	for _, enc := range []struct{ name, accept string }{{"json", "application/json"}, {"xml", "application/xml"}} {
		for _, n := range []int{100, 1000} {
			page := fetchPage(b, nasURL, e.LegacyToken("alice"), enc.accept, n)
			b.Run(enc.name+"/items="+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				for b.Loop() {
					var head pageHead
					got := 0
					_, err := decodeContainer(bytes.NewReader(page), &head, itemNames, func(name string, decode elementDecoder) error {
						var it Item
						got++
						return decode(&it)
					})
					if err != nil || got != n {
						b.Fatalf("decoded %d items, %v; want %d", got, err, n)
					}
				}
				b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "items/s")
			})
		}
	}
}

// fetchPage returns the raw body of the first n items of section 1.
func fetchPage(b *testing.B, baseURL, token, accept string, n int) []byte {
	req, err := http.NewRequest(http.MethodGet, baseURL+"/library/sections/1/all", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Plex-Token", token)
	req.Header.Set("Accept", accept)
	req.Header.Set("X-Plex-Container-Start", "0")
	req.Header.Set("X-Plex-Container-Size", strconv.Itoa(n))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET page: %d, %v", resp.StatusCode, err)
	}
	return body
}
