package webhook_test

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/webhook"
)

// The support article's sample (reference plex-live.md §4.5, values changed).
const playPayload = `{"event":"media.play","user":true,"owner":true,
 "Account":{"id":1,"thumb":"https://plex.tv/users/0123456789abcdef/avatar?c=1500000000","title":"owner"},
 "Server":{"title":"Office","uuid":"0123456789abcdef0123456789abcdef01234567"},
 "Player":{"local":true,"publicAddress":"203.0.113.7","title":"Plex Web (Safari)","uuid":"abcdefghijklmnopqrstuvwx"},
 "Metadata":{"librarySectionType":"artist","ratingKey":"3003","key":"/library/metadata/3003","parentRatingKey":"3002","grandparentRatingKey":"3001","guid":"plex://track/000000000000000000000003","librarySectionID":4,"type":"track","title":"Example Track","grandparentKey":"/library/metadata/3001","parentKey":"/library/metadata/3002","grandparentTitle":"Example Artist","parentTitle":"Example Album","summary":"","index":1,"parentIndex":1,"ratingCount":6794,"thumb":"/library/metadata/3002/thumb/1500000000","addedAt":1500000000,"updatedAt":1500000000}}`

const ratePayload = `{"event":"media.rate","user":true,"owner":true,"rating":"8",
 "Account":{"id":"1","thumb":"","title":"owner"},"Server":{"title":"Office","uuid":"0123"},
 "Player":{"local":true,"publicAddress":"203.0.113.7","title":"Chrome","uuid":"abc"},
 "Metadata":{"librarySectionType":"movie","ratingKey":5005,"key":"/library/metadata/5005","type":"movie","title":"Example Movie","year":2020,"userRating":8}}`

// body builds a multipart body the way a PMS does: a payload field, and a thumb file part.
func body(t testing.TB, payload string, thumb []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary("------------------------AbCdEf0123456789AbCdEf01"); err != nil {
		t.Fatal(err)
	}
	if payload != "" {
		w, _ := mw.CreateFormField("payload")
		io.WriteString(w, payload)
	}
	if thumb != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="thumb"; filename="thumb.jpg"`)
		h.Set("Content-Type", "image/jpeg")
		w, _ := mw.CreatePart(h)
		w.Write(thumb)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func TestParse(t *testing.T) {
	t.Parallel()
	jpeg := []byte("\xff\xd8\xff\xe0 a poster")
	b, ct := body(t, playPayload, jpeg)
	ev, err := webhook.ParseBody(b, ct, webhook.DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Event != webhook.MediaPlay || !ev.User || !ev.Owner || ev.Account.ID != "1" || ev.Account.Title != "owner" ||
		ev.Server.UUID != "0123456789abcdef0123456789abcdef01234567" || ev.Player.PublicAddress != "203.0.113.7" ||
		ev.Metadata.RatingKey != "3003" || ev.Metadata.LibrarySectionID != "4" || ev.Metadata.Type != "track" ||
		ev.Metadata.GrandparentTitle != "Example Artist" || !bytes.Equal(ev.Thumb, jpeg) || !strings.Contains(string(ev.Payload), "ratingCount") {
		t.Errorf("parsed %+v", ev)
	}
	b, ct = body(t, ratePayload, nil)
	ev, err = webhook.ParseBody(b, ct, webhook.DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Rating == nil || *ev.Rating != 8 || ev.Metadata.RatingKey != "5005" || ev.Metadata.Year != 2020 || ev.Thumb != nil || ev.Account.ID != "1" {
		t.Errorf("rate %+v", ev)
	}
}

func TestParseRefusesBadInput(t *testing.T) {
	t.Parallel()
	good, ct := body(t, playPayload, nil)
	noPayload, ct2 := body(t, "", []byte("x"))
	notJSON, ct3 := body(t, "{nope", nil)
	noEvent, ct4 := body(t, `{"user":true}`, nil)
	for _, tt := range []struct {
		name string
		body io.Reader
		ct   string
		max  int64
		want error
	}{
		{"JSON body", strings.NewReader(playPayload), "application/json", 0, webhook.ErrNotMultipart},
		{"no boundary", good, "multipart/form-data", 0, webhook.ErrNotMultipart},
		{"truncated", strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{"), "multipart/form-data; boundary=x", 0, webhook.ErrNotMultipart},
		{"no payload", noPayload, ct2, 0, webhook.ErrNoPayload},
		{"payload not JSON", notJSON, ct3, 0, webhook.ErrBadPayload},
		{"payload without event", noEvent, ct4, 0, webhook.ErrBadPayload},
		{"too large", bytes.NewReader(append(bytes.Clone(good.Bytes()), make([]byte, 100)...)), ct, 50, webhook.ErrTooLarge},
	} {
		max := tt.max
		if max == 0 {
			max = webhook.DefaultMaxBytes
		}
		_, err := webhook.ParseBody(io.LimitReader(tt.body, max+1), tt.ct, max)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	var got []webhook.Event
	h := &webhook.Handler{Secret: "s3cret", MaxBytes: 64 << 10, OnEvent: func(_ *http.Request, ev webhook.Event) error {
		got = append(got, ev)
		return nil
	}}
	post := func(path string, b io.Reader, ct string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, b)
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	b, ct := body(t, playPayload, nil)
	if w := post("/plex/s3cret", b, ct); w.Code != 200 || len(got) != 1 {
		t.Errorf("secret in the path: %d %s", w.Code, w.Body)
	}
	b, ct = body(t, playPayload, nil)
	if w := post("/plex?secret=s3cret", b, ct); w.Code != 200 || len(got) != 2 {
		t.Errorf("secret in the query: %d %s", w.Code, w.Body)
	}
	b, ct = body(t, playPayload, nil)
	if w := post("/plex/guess", b, ct); w.Code != 403 || len(got) != 2 {
		t.Errorf("wrong secret: %d", w.Code)
	}
	if w := post("/plex/s3cret", strings.NewReader("{}"), "application/json"); w.Code != 400 || !strings.Contains(w.Body.String(), "multipart/form-data") {
		t.Errorf("JSON body: %d %s", w.Code, w.Body)
	}
	b, ct = body(t, playPayload, make([]byte, 128<<10))
	if w := post("/plex/s3cret", b, ct); w.Code != 413 {
		t.Errorf("large body: %d %s", w.Code, w.Body)
	}
	r := httptest.NewRequest(http.MethodGet, "/plex/s3cret", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 405 {
		t.Errorf("GET: %d", w.Code)
	}
}

func FuzzParseBody(f *testing.F) {
	b, ct := body(f, playPayload, []byte("\xff\xd8"))
	f.Add(b.Bytes(), strings.TrimPrefix(ct, "multipart/form-data; boundary="))
	b, ct = body(f, ratePayload, nil)
	f.Add(b.Bytes(), strings.TrimPrefix(ct, "multipart/form-data; boundary="))
	f.Add([]byte("--x\r\n\r\n--x--"), "x")
	f.Fuzz(func(t *testing.T, data []byte, boundary string) {
		ev, err := webhook.ParseBody(bytes.NewReader(data), "multipart/form-data; boundary="+boundary, 1<<20)
		if err == nil && ev.Event == "" {
			t.Errorf("an event without a name was accepted")
		}
	})
}
