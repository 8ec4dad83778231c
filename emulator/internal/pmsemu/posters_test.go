package pmsemu

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

type photoJSON struct {
	Key       string `json:"key"`
	RatingKey string `json:"ratingKey"`
	Selected  bool   `json:"selected"`
	Thumb     string `json:"thumb"`
	Provider  string `json:"provider"`
}

// artworkList GETs /library/metadata/{rk}/{list} with token in JSON.
func artworkList(t *testing.T, f *fixture, rk int, list, token string) []photoJSON {
	t.Helper()
	r := f.do(t, req{path: "/library/metadata/" + strconv.Itoa(rk) + "/" + list, token: token, json: true})
	var body struct {
		MediaContainer struct {
			Size     int         `json:"size"`
			Metadata []photoJSON `json:"Metadata"`
		}
	}
	if err := json.Unmarshal([]byte(r.body), &body); r.status != 200 || err != nil {
		t.Fatalf("GET %s: %d %v %s", list, r.status, err, r.body)
	}
	if body.MediaContainer.Size != len(body.MediaContainer.Metadata) {
		t.Errorf("size %d, %d Photo", body.MediaContainer.Size, len(body.MediaContainer.Metadata))
	}
	return body.MediaContainer.Metadata
}

func selectedOf(ps []photoJSON) int {
	n := -1
	for i, p := range ps {
		if p.Selected {
			if n >= 0 {
				return -2 // two selected
			}
			n = i
		}
	}
	return n
}

// pngImage is a small real PNG.
func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 6))
	img.Set(1, 2, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload POSTs body to path as token.
func upload(t *testing.T, f *fixture, path, token string, body []byte) *http.Response {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, f.http.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Plex-Token", token)
	resp, _ := f.send(t, r)
	return resp
}

func TestArtworkLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	rk, path := movieAt(3)
	for _, list := range []string{"posters", "arts"} {
		ps := artworkList(t, f, rk, list, friendToken) // a friend who sees the section may list
		if len(ps) != 2 || selectedOf(ps) != 0 {
			t.Fatalf("%s: %+v, want two, the first selected", list, ps)
		}
		for _, p := range ps {
			if !strings.HasPrefix(p.RatingKey, "metadata://"+list+"/tv.plex.agents.movie_") || p.Provider != "tv.plex.agents.movie" ||
				p.Key != path+"/file?url="+url.QueryEscape(p.RatingKey) || p.Thumb != p.Key {
				t.Errorf("%s: %+v", list, p)
			}
			r := f.do(t, req{path: p.Key, token: friendToken})
			if r.status != 200 || r.header.Get("Content-Type") != "image/jpeg" || !bytes.Equal([]byte(r.body), pixel("image/jpeg")) {
				t.Errorf("GET %s: %d %s", p.Key, r.status, r.header.Get("Content-Type"))
			}
		}
		if ps[0].RatingKey == ps[1].RatingKey {
			t.Errorf("%s: the same ratingKey twice", list)
		}
	}
	// The same item's lists read again are the same; another item's differ.
	if a, b := artworkList(t, f, rk, "posters", ownerToken), artworkList(t, f, rk, "posters", ownerToken); a[1] != b[1] {
		t.Errorf("lists differ between reads: %+v %+v", a, b)
	}
	other, _ := movieAt(4)
	if a, b := artworkList(t, f, rk, "posters", ownerToken), artworkList(t, f, other, "posters", ownerToken); a[0].RatingKey == b[0].RatingKey {
		t.Errorf("two items share a poster %q", a[0].RatingKey)
	}
	// XML: python-plexapi reads <Photo key ratingKey selected thumb provider/>.
	x := f.do(t, req{path: path + "/posters", token: ownerToken})
	if x.status != 200 || !strings.Contains(x.body, `<Photo key="`+path+`/file?url=metadata%3A%2F%2Fposters%2F`) || !strings.Contains(x.body, `selected="1"`) ||
		!strings.Contains(x.body, `selected="0"`) || !strings.Contains(x.body, `provider="tv.plex.agents.movie"`) {
		t.Errorf("XML: %s", x.body)
	}
	if n := len(f.srv.impl().store.artwork); n != 0 {
		t.Errorf("reading artwork stored %d items'", n)
	}
	// A Photo key of another item, or a url that names nothing, is not found.
	if r := f.do(t, req{path: path + "/file?url=" + url.QueryEscape("upload://posters/0000"), token: ownerToken}); r.status != 404 {
		t.Errorf("unknown url: %d", r.status)
	}
	if r := f.do(t, req{path: "/library/metadata/" + strconv.Itoa(firstLeaf(3, 0)) + "/posters", token: friendToken}); r.status != 404 {
		t.Errorf("friend listing an item of an unshared section: %d", r.status)
	}
}

func TestArtworkUploadAndSelect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ws := dialWS(t, f, "/:/websockets/notifications?filters=timeline", ownerToken)
	rk, path := movieAt(5)
	f.clock.Advance(time.Hour)
	ts := strconv.FormatInt(f.clock.Now().Unix(), 10)

	img := pngImage(t)
	if resp := upload(t, f, path+"/posters", ownerToken, img); resp.StatusCode != 200 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	if frame := readFrame(t, ws); !strings.Contains(frame, `"itemID":"`+strconv.Itoa(rk)+`"`) || !strings.Contains(frame, `"state":5`) {
		t.Errorf("notification %s", frame)
	}
	ps := artworkList(t, f, rk, "posters", ownerToken)
	sum := sha1.Sum(img)
	want := "upload://posters/" + hex.EncodeToString(sum[:])
	if len(ps) != 3 || selectedOf(ps) != 2 || ps[2].RatingKey != want || ps[2].Provider != "" {
		t.Fatalf("after upload: %+v, want the upload %s listed last and selected", ps, want)
	}
	var thumb struct {
		MediaContainer struct {
			Metadata []struct {
				Thumb string `json:"thumb"`
				Art   string `json:"art"`
			}
		}
	}
	if err := f.ownerJSON(t, path, &thumb); err != nil || thumb.MediaContainer.Metadata[0].Thumb != path+"/thumb/"+ts {
		t.Fatalf("thumb %+v %v, want %s", thumb, err, path+"/thumb/"+ts)
	}
	artBefore := thumb.MediaContainer.Metadata[0].Art
	// The image, at the item's thumb and at the Photo's key, byte for byte.
	for _, p := range []string{path + "/thumb/" + ts, ps[2].Key} {
		r := f.do(t, req{path: p, token: friendToken})
		if r.status != 200 || r.header.Get("Content-Type") != "image/png" || r.body != string(img) {
			t.Errorf("GET %s: %d %s, %d bytes", p, r.status, r.header.Get("Content-Type"), len(r.body))
		}
	}
	// The same bytes again add nothing.
	upload(t, f, path+"/posters", ownerToken, img)
	readFrame(t, ws)
	if ps := artworkList(t, f, rk, "posters", ownerToken); len(ps) != 3 {
		t.Errorf("the same upload twice: %d posters", len(ps))
	}

	// Selecting the agent's second, as python-plexapi's Poster.select does.
	f.clock.Advance(time.Minute)
	sel := f.do(t, req{method: "PUT", path: path + "/poster?url=" + url.QueryEscape(ps[1].RatingKey), token: ownerToken})
	if sel.status != 200 {
		t.Fatalf("select: %d", sel.status)
	}
	readFrame(t, ws)
	if ps := artworkList(t, f, rk, "posters", ownerToken); selectedOf(ps) != 1 {
		t.Errorf("after select: %+v", ps)
	}
	ts2 := strconv.FormatInt(f.clock.Now().Unix(), 10)
	if r := f.do(t, req{path: path + "/thumb/" + ts2, token: ownerToken}); r.header.Get("Content-Type") != "image/jpeg" || r.body != string(pixel("image/jpeg")) {
		t.Errorf("thumb after selecting the agent's: %s", r.header.Get("Content-Type"))
	}
	// Not listed: 400, nothing changes.
	if r := f.do(t, req{method: "PUT", path: path + "/poster?url=" + url.QueryEscape("upload://posters/feed"), token: ownerToken}); r.status != 400 {
		t.Errorf("select of an unlisted poster: %d", r.status)
	}
	if r := f.do(t, req{method: "PUT", path: path + "/poster", token: ownerToken}); r.status != 400 {
		t.Errorf("select without url: %d", r.status)
	}
	if ps := artworkList(t, f, rk, "posters", ownerToken); selectedOf(ps) != 1 {
		t.Errorf("a refused select changed the selection: %+v", ps)
	}

	// Art by url: listed under the URL, selected; the poster untouched.
	link := "https://images.example.com/fanart.jpg"
	if r := f.do(t, req{method: "POST", path: path + "/arts?url=" + url.QueryEscape(link), token: ownerToken}); r.status != 200 {
		t.Fatalf("art by url: %d", r.status)
	}
	readFrame(t, ws)
	arts := artworkList(t, f, rk, "arts", ownerToken)
	if len(arts) != 3 || selectedOf(arts) != 2 || arts[2].RatingKey != link {
		t.Errorf("arts: %+v", arts)
	}
	if err := f.ownerJSON(t, path, &thumb); err != nil || thumb.MediaContainer.Metadata[0].Art == artBefore || thumb.MediaContainer.Metadata[0].Thumb != path+"/thumb/"+ts2 {
		t.Errorf("after the art upload: %+v (art was %s)", thumb, artBefore)
	}
	// python-plexapi's setArt: PUT …/art?url=.
	if r := f.do(t, req{method: "PUT", path: path + "/art?url=" + url.QueryEscape(arts[0].RatingKey), token: ownerToken}); r.status != 200 {
		t.Errorf("select art: %d", r.status)
	}
	if arts := artworkList(t, f, rk, "arts", ownerToken); selectedOf(arts) != 0 {
		t.Errorf("arts after select: %+v", arts)
	}
}

func TestArtworkRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	rk, path := movieAt(6)
	img := pngImage(t)
	webp := append([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "), make([]byte, 16)...)
	jpg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 16)...)
	big := append(bytes.Clone(img), make([]byte, maxArtworkUpload)...)
	for _, tt := range []struct {
		name, path, token string
		body              []byte
		want              int
	}{
		{"friend uploads", path + "/posters", friendToken, img, 401},
		{"managed user uploads", path + "/posters", managedToken, img, 401},
		{"no token", path + "/posters", "", img, 401},
		{"not an image", path + "/posters", ownerToken, []byte("<html>not a picture</html>"), 400},
		{"empty body, no url", path + "/posters", ownerToken, nil, 400},
		{"over 10 MiB", path + "/posters", ownerToken, big, 413},
		{"no such item", "/library/metadata/999999999/posters", ownerToken, img, 404},
		{"not a URL", path + "/posters?url=" + url.QueryEscape("file:///etc/passwd"), ownerToken, nil, 400},
		{"a WebP", path + "/arts", ownerToken, webp, 200},
		{"a JPEG", path + "/thumb", ownerToken, jpg, 200},
	} {
		if resp := upload(t, f, tt.path, tt.token, tt.body); resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	ps := artworkList(t, f, rk, "posters", ownerToken)
	if len(ps) != 3 || selectedOf(ps) != 2 {
		t.Errorf("posters after the refusals and one JPEG: %+v", ps)
	}
	if r := f.do(t, req{path: ps[2].Key, token: ownerToken}); r.header.Get("Content-Type") != "image/jpeg" || r.body != string(jpg) {
		t.Errorf("the JPEG: %s %q", r.header.Get("Content-Type"), r.body)
	}
	if arts := artworkList(t, f, rk, "arts", ownerToken); len(arts) != 3 {
		t.Errorf("arts after a WebP: %+v", arts)
	} else if r := f.do(t, req{path: arts[2].Key, token: ownerToken}); r.header.Get("Content-Type") != "image/webp" {
		t.Errorf("the WebP: %s", r.header.Get("Content-Type"))
	}
	if r := f.do(t, req{method: "PUT", path: path + "/poster?url=" + url.QueryEscape(ps[0].RatingKey), token: friendToken}); r.status != 401 {
		t.Errorf("friend selects: %d", r.status)
	}
	if ps := artworkList(t, f, rk, "posters", friendToken); selectedOf(ps) != 2 {
		t.Errorf("a friend's select changed the selection: %+v", ps)
	}
}
