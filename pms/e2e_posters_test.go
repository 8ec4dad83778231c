package pms_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

func selectedIndex(arts []pms.Artwork) int {
	for i, a := range arts {
		if a.Selected {
			return i
		}
	}
	return -1
}

// TestArtworkEndToEnd lists an item's posters and art, uploads a file and a URL, selects
// another, and reads the images back, in JSON and XML; bob lists but may not change them.
func TestArtworkEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 20})
	ctx := context.Background()
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 3, 5))); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(img.Bytes())
	uploaded := "upload://posters/" + hex.EncodeToString(sum[:])
	i := 2
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		rk := string(collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Start: i, Limit: 1}))[0].RatingKey)
		i++
		posters, err := c.Metadata.Posters(ctx, rk)
		if err != nil || len(posters) != 2 || selectedIndex(posters) != 0 || posters[0].Provider == "" || posters[0].Key == "" {
			t.Fatalf("%s: Posters = %+v, %v", enc, posters, err)
		}
		must(t, c.Metadata.UploadPoster(ctx, rk, pms.ArtworkSource{Image: bytes.NewReader(img.Bytes())}))
		posters, err = c.Metadata.Posters(ctx, rk)
		if err != nil || len(posters) != 3 || selectedIndex(posters) != 2 || posters[2].RatingKey != uploaded || posters[2].Provider != "" {
			t.Fatalf("%s: after UploadPoster, Posters = %+v, %v", enc, posters, err)
		}
		// The image comes back byte for byte, at its key and at the item's thumb.
		it, err := c.Metadata.Get(ctx, rk)
		if err != nil || !strings.HasPrefix(it.Thumb, "/library/metadata/"+rk+"/thumb/") {
			t.Fatalf("%s: Get = %+v, %v", enc, it, err)
		}
		for _, path := range []string{posters[2].Key, it.Thumb} {
			var got bytes.Buffer
			if err := c.Do(ctx, "GET", path, nil, nil, &got); err != nil || !bytes.Equal(got.Bytes(), img.Bytes()) {
				t.Errorf("%s: GET %s: %d bytes, %v", enc, path, got.Len(), err)
			}
		}
		must(t, c.Metadata.SelectPoster(ctx, rk, posters[1]))
		if posters, err := c.Metadata.Posters(ctx, rk); err != nil || selectedIndex(posters) != 1 {
			t.Errorf("%s: after SelectPoster, %+v, %v", enc, posters, err)
		}
		err = c.Metadata.SelectPoster(ctx, rk, pms.Artwork{RatingKey: "upload://posters/none"})
		if !errors.Is(err, plexkit.ErrBadRequest) {
			t.Errorf("%s: selecting an image the item does not list: %v", enc, err)
		}

		link := "https://images.example.com/backdrop.jpg"
		must(t, c.Metadata.UploadArt(ctx, rk, pms.ArtworkSource{URL: link}))
		arts, err := c.Metadata.Arts(ctx, rk)
		if err != nil || len(arts) != 3 || selectedIndex(arts) != 2 || arts[2].RatingKey != link {
			t.Fatalf("%s: after UploadArt, Arts = %+v, %v", enc, arts, err)
		}
		must(t, c.Metadata.SelectArt(ctx, rk, arts[0]))

		// bob sees section 1: he lists, and is refused changes.
		bob := clientFor(t, e, "bob", nas, opts...)
		if got, err := bob.Metadata.Arts(ctx, rk); err != nil || len(got) != 3 || selectedIndex(got) != 0 {
			t.Errorf("%s: bob's Arts = %+v, %v", enc, got, err)
		}
		if err := bob.Metadata.UploadPoster(ctx, rk, pms.ArtworkSource{Image: bytes.NewReader(img.Bytes())}); !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("%s: bob's UploadPoster: %v", enc, err)
		}
		if err := bob.Metadata.SelectPoster(ctx, rk, posters[0]); !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("%s: bob's SelectPoster: %v", enc, err)
		}
	}
}

// TestArtworkArguments: bad input is an ArgumentError, before any request (the client's server
// is a closed listener, so a request would fail otherwise).
func TestArtworkArguments(t *testing.T) {
	t.Parallel()
	c, err := pms.NewClient("http://127.0.0.1:1", pms.WithToken("x"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	huge := io.LimitReader(zeros{}, pms.MaxArtworkSize+1)
	for name, err := range map[string]error{
		"empty source":    c.Metadata.UploadPoster(ctx, "1", pms.ArtworkSource{}),
		"both":            c.Metadata.UploadPoster(ctx, "1", pms.ArtworkSource{URL: "https://x/y.jpg", Image: strings.NewReader("x")}),
		"file URL":        c.Metadata.UploadArt(ctx, "1", pms.ArtworkSource{URL: "file:///etc/passwd"}),
		"empty image":     c.Metadata.UploadPoster(ctx, "1", pms.ArtworkSource{Image: strings.NewReader("")}),
		"too large":       c.Metadata.UploadPoster(ctx, "1", pms.ArtworkSource{Image: huge}),
		"bad rating key":  c.Metadata.UploadPoster(ctx, "1/2", pms.ArtworkSource{URL: "https://x/y.jpg"}),
		"no rating key":   func() error { _, err := c.Metadata.Posters(ctx, ""); return err }(),
		"unlisted select": c.Metadata.SelectArt(ctx, "1", pms.Artwork{}),
	} {
		var ae *pms.ArgumentError
		if !errors.As(err, &ae) {
			t.Errorf("%s: %v, want an ArgumentError", name, err)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
