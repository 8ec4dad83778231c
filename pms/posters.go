package pms

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Artwork is one image an item can show, as Posters and Arts list them: the agent's, and those
// uploaded. Selected marks the one the item shows (its Thumb or Art).
type Artwork struct {
	// Key is the path that serves the image (/library/metadata/{key}/file?url=…): give it to
	// Metadata.URL or ImageURL to fetch it.
	Key string `json:"key" xml:"key,attr"`
	// RatingKey names the image: metadata://posters/… for an agent's, upload://posters/{sha1}
	// for an uploaded file, or the URL it was uploaded from. SelectPoster sends it.
	RatingKey string   `json:"ratingKey" xml:"ratingKey,attr"`
	Selected  FlexBool `json:"selected" xml:"selected,attr"`
	Thumb     string   `json:"thumb" xml:"thumb,attr"`
	// Provider is the agent that offers the image ("tv.plex.agents.movie"); "" for an upload.
	Provider string `json:"provider,omitempty" xml:"provider,attr"`
}

// ArtworkSource is an image to upload: exactly one of URL, an http or https address the server
// fetches the image from, and Image, the image itself (PNG, JPEG or WebP; read whole, up to
// MaxArtworkSize bytes).
type ArtworkSource struct {
	URL   string
	Image io.Reader
}

// MaxArtworkSize is the largest Image an upload reads: beyond it UploadPoster returns an
// ArgumentError without sending anything. (The emulator refuses larger uploads with 413; the
// limit of a real server is not documented.)
const MaxArtworkSize = 10 << 20

// Posters returns the item's posters (GET /library/metadata/{key}/posters; any account that
// sees the item): the agent's and the uploaded, the one it shows Selected.
func (s *MetadataService) Posters(ctx context.Context, ratingKey string) ([]Artwork, error) {
	return s.artwork(ctx, ratingKey, "posters")
}

// Arts returns the item's background art (GET /library/metadata/{key}/arts), as Posters.
func (s *MetadataService) Arts(ctx context.Context, ratingKey string) ([]Artwork, error) {
	return s.artwork(ctx, ratingKey, "arts")
}

// UploadPoster adds a poster to the item and makes it the one shown (POST
// /library/metadata/{key}/posters, with ?url= or the image as the body; admin: a shared user
// meets a 403). The item's Thumb then names a new image.
func (s *MetadataService) UploadPoster(ctx context.Context, ratingKey string, src ArtworkSource) error {
	return s.upload(ctx, ratingKey, "posters", src)
}

// UploadArt adds background art to the item and makes it the one shown (POST
// /library/metadata/{key}/arts), as UploadPoster.
func (s *MetadataService) UploadArt(ctx context.Context, ratingKey string, src ArtworkSource) error {
	return s.upload(ctx, ratingKey, "arts", src)
}

// SelectPoster makes one of the item's posters, as Posters listed it, the one shown (PUT
// /library/metadata/{key}/poster?url={art.RatingKey}; admin). A server answers 400 for an
// image the item does not list.
func (s *MetadataService) SelectPoster(ctx context.Context, ratingKey string, art Artwork) error {
	return s.selectArtwork(ctx, ratingKey, "poster", art)
}

// SelectArt makes one of the item's background arts, as Arts listed it, the one shown (PUT
// /library/metadata/{key}/art?url=…), as SelectPoster.
func (s *MetadataService) SelectArt(ctx context.Context, ratingKey string, art Artwork) error {
	return s.selectArtwork(ctx, ratingKey, "art", art)
}

// artwork reads a list of Photo elements (in JSON under Metadata).
func (s *MetadataService) artwork(ctx context.Context, ratingKey, which string) ([]Artwork, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	return list[Artwork](ctx, s.client, get, "library/metadata/"+ratingKey+"/"+which, nil, "Metadata", "Photo")
}

func (s *MetadataService) upload(ctx context.Context, ratingKey, which string, src ArtworkSource) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	r := &request{method: http.MethodPost, path: "library/metadata/" + ratingKey + "/" + which}
	switch {
	case src.URL != "" && src.Image != nil:
		return &ArgumentError{"ArtworkSource", "both URL and Image are set; give one"}
	case src.URL != "":
		u, err := url.Parse(src.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &ArgumentError{"ArtworkSource.URL", "is not an http or https URL"}
		}
		r.query = url.Values{"url": {src.URL}}
	case src.Image != nil:
		b, err := io.ReadAll(io.LimitReader(src.Image, MaxArtworkSize+1))
		switch {
		case err != nil:
			return fmt.Errorf("pms: reading the image: %w", err)
		case len(b) == 0:
			return &ArgumentError{"ArtworkSource.Image", "is empty"}
		case len(b) > MaxArtworkSize:
			return &ArgumentError{"ArtworkSource.Image", fmt.Sprintf("is larger than %d MiB", MaxArtworkSize>>20)}
		}
		r.body, r.contentType = b, http.DetectContentType(b)
	default:
		return &ArgumentError{"ArtworkSource", "is empty: set URL or Image"}
	}
	_, err := s.client.do(ctx, r)
	return err
}

func (s *MetadataService) selectArtwork(ctx context.Context, ratingKey, element string, art Artwork) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	if art.RatingKey == "" {
		return &ArgumentError{"Artwork.RatingKey", "is empty: pass an Artwork as Posters or Arts listed it"}
	}
	return s.client.write(ctx, http.MethodPut, "library/metadata/"+ratingKey+"/"+element, url.Values{"url": {art.RatingKey}})
}
