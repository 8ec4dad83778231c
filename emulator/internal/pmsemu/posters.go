package pmsemu

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Artwork: an item's posters and background art (plex-beyond-spec.md B.1, python-plexapi
// mixins PosterMixin/ArtMixin and media.BaseResource).
//
//   - GET /library/metadata/{id}/posters and …/arts list them as <Photo key ratingKey selected
//     thumb provider/>: the agent's (computed from the rating key, like the rest of gen.go, so
//     a million items cost nothing), then what was uploaded, oldest first. Any caller who sees
//     the item may list (python-plexapi's friends do).
//   - POST …/posters (…/arts; the spec's {element} also names them thumb, poster, art) uploads
//     one, from ?url= or from the request body; the upload becomes the selected one, as
//     python-plexapi's uploadPoster documents ("upload … and set it as the selected poster").
//   - PUT …/poster?url={ratingKey} (…/art) selects one of the listed: python-plexapi's
//     BaseResource.select sends the Photo's ratingKey to its list's path without the final "s".
//   - The item's thumb (art) then names the change: /library/metadata/{id}/thumb/{unix time}
//     (…/art/…), the edit is an EventEdited (timeline state 5), and GET of that path, or of a
//     Photo's key (/library/metadata/{id}/file?url={ratingKey}), serves the image: an upload
//     byte for byte with the Content-Type its magic says, anything else as a one-pixel JPEG.
//
// Only the admin changes artwork: the spec lets shared users call {element} but its description
// says "generally only the admin can perform this action", so a shared user meets the refusal
// of every admin-only operation (Config.SharedAdminStatus: 401 by default, 403 on the switch;
// the spec lists no refusal status here, unlike GET /security/resources, which lists 403).
//
// Choices beyond the sources (confidence low): an upload whose body is no PNG, JPEG or WebP is
// refused with 400; an upload over maxArtworkUpload with 413; a ?url= upload is not fetched
// (the emulator is offline, and fetching a caller's URL is a server-side request forgery), it is
// listed under the URL as its ratingKey and served as the pixel; uploads are listed after the
// agent's; an item keeps its last maxArtworkUploads uploads of each kind.

const (
	maxArtworkUpload  = 10 << 20 // bytes of one uploaded image
	maxArtworkUploads = 16       // uploads kept per item and kind; the oldest unselected goes
)

// artKind is what an artwork is: a poster (the item's thumb) or background art (its art).
type artKind int

const (
	kindPoster artKind = iota
	kindArt
)

// list is the name of the kind's list path and of its ratingKey folders ("posters", "arts");
// element is the item attribute and image path it selects ("thumb", "art").
func (k artKind) list() string    { return [...]string{"posters", "arts"}[k] }
func (k artKind) element() string { return [...]string{"thumb", "art"}[k] }

// kindOfElement maps the path segment of a list, upload, select or image request to its kind.
func kindOfElement(seg string) (artKind, bool) {
	switch seg {
	case "posters", "poster", "thumb":
		return kindPoster, true
	case "arts", "art":
		return kindArt, true
	}
	return 0, false
}

// artwork is one image of an item's list.
type artwork struct {
	RatingKey   string // metadata://posters/…, upload://posters/{sha1}, or an uploaded URL
	Provider    string // the agent, for the agent's own
	Data        []byte // an upload's bytes; nil: served as the pixel
	ContentType string // of Data
}

// itemArtwork is what clients changed of one item's artwork, kept in the Store's overlay.
type itemArtwork struct {
	uploads  [2][]artwork // by kind, oldest first
	selected [2]string    // by kind: a ratingKey; "" for the agent's first
}

// agentArtwork returns the artworks the agent of item it offers of kind k: two, with ratingKeys
// computed from the item's rating key.
func (st *Store) agentArtwork(it Item, k artKind) []artwork {
	agent := "com.plexapp.agents.none"
	if sec := st.byKey[it.SectionKey]; sec != nil {
		if a, ok := sectionAgents[sec.Type]; ok {
			agent = a[0]
		}
	}
	out := make([]artwork, 2)
	for i := range out {
		h := fnv.New64a()
		_, _ = h.Write([]byte(strconv.Itoa(it.RatingKey) + "/" + k.list() + "/" + strconv.Itoa(i)))
		out[i] = artwork{
			RatingKey: "metadata://" + k.list() + "/" + agent + "_" + strconv.FormatUint(h.Sum64(), 16),
			Provider:  agent,
		}
	}
	return out
}

// Artwork returns item rk's artworks of kind k, the agent's then the uploads, and the index of
// the selected one; ok is false when there is no item rk.
func (st *Store) Artwork(rk int, k artKind) (arts []artwork, selected int, ok bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.artworkLocked(rk, k)
}

func (st *Store) artworkLocked(rk int, k artKind) ([]artwork, int, bool) {
	it, ok := st.rawLocked(rk)
	if !ok {
		return nil, 0, false
	}
	arts := st.agentArtwork(it, k)
	sel := 0
	if a := st.artwork[rk]; a != nil {
		arts = append(arts, a.uploads[k]...)
		if i := slices.IndexFunc(arts, func(w artwork) bool { return w.RatingKey == a.selected[k] }); i >= 0 {
			sel = i
		}
	}
	return arts, sel, true
}

// AddArtwork adds w to item rk's artworks of kind k (or finds the one with its ratingKey) and
// selects it; false when there is no item rk.
func (st *Store) AddArtwork(rk int, k artKind, w artwork) bool {
	return st.changeArtwork(rk, k, func(a *itemArtwork, _ []artwork) bool {
		ups := a.uploads[k]
		if !slices.ContainsFunc(ups, func(u artwork) bool { return u.RatingKey == w.RatingKey }) {
			if len(ups) == maxArtworkUploads {
				drop := 0
				if ups[0].RatingKey == a.selected[k] {
					drop = 1
				}
				ups = slices.Delete(ups, drop, drop+1)
			}
			ups = append(ups, w)
		}
		a.uploads[k] = ups
		a.selected[k] = w.RatingKey
		return true
	})
}

// SelectArtwork selects the artwork of item rk's kind k list whose ratingKey is ratingKey; false
// when there is no item rk or no such artwork.
func (st *Store) SelectArtwork(rk int, k artKind, ratingKey string) bool {
	return st.changeArtwork(rk, k, func(a *itemArtwork, arts []artwork) bool {
		if !slices.ContainsFunc(arts, func(w artwork) bool { return w.RatingKey == ratingKey }) {
			return false
		}
		a.selected[k] = ratingKey
		return true
	})
}

// changeArtwork runs change on item rk's overlay entry under the write lock; when it reports a
// change, the item's thumb or art names the time of it, and the edit is published as any other.
func (st *Store) changeArtwork(rk int, k artKind, change func(a *itemArtwork, arts []artwork) bool) bool {
	st.mu.Lock()
	arts, _, ok := st.artworkLocked(rk, k)
	if !ok {
		st.mu.Unlock()
		return false
	}
	a := st.artwork[rk]
	if a == nil {
		a = &itemArtwork{}
	}
	if !change(a, arts) {
		st.mu.Unlock()
		return false
	}
	st.artwork[rk] = a
	st.mu.Unlock()
	ts := strconv.FormatInt(st.now().Unix(), 10)
	return st.Edit(rk, func(it *Item) {
		path := "/library/metadata/" + strconv.Itoa(rk) + "/" + k.element() + "/" + ts
		if k == kindPoster {
			it.Thumb = path
		} else {
			it.Art = path
		}
	})
}

// registerArtwork adds the handlers of artwork.
func registerArtwork(h *handler) {
	h.ops["x.artwork"] = h.listArtwork
	h.ops["libraryMetadataPostElement"] = h.uploadArtwork
	h.ops["libraryMetadataPutElement"] = h.selectArtwork
	h.ops["libraryMetadataGetElement"] = h.serveElement
	h.ops["libraryMetadataGetFile"] = h.serveFile
}

// photoElement is one artwork as a list renders it.
type photoElement struct {
	XMLName   xml.Name `json:"-" xml:"Photo"`
	Key       string   `json:"key" xml:"key,attr"`
	RatingKey string   `json:"ratingKey" xml:"ratingKey,attr"`
	Selected  xbool    `json:"selected" xml:"selected,attr"`
	Thumb     string   `json:"thumb" xml:"thumb,attr"`
	Provider  string   `json:"provider,omitempty" xml:"provider,attr,omitempty"`
}

type artworkContainer struct {
	XMLName    xml.Name `json:"-" xml:"MediaContainer"`
	Size       int      `json:"size" xml:"size,attr"`
	Identifier string   `json:"identifier" xml:"identifier,attr"`
}

// fileKey is the path that serves artwork ratingKey of item rk.
func fileKey(rk int, ratingKey string) string {
	return "/library/metadata/" + strconv.Itoa(rk) + "/file?url=" + url.QueryEscape(ratingKey)
}

// artworkOf returns the item of /library/metadata/{id}/… that the caller sees, and its artwork
// of kind k with the index of the selected one; it answers 404 and returns ok false when there
// is no such item or it has no artwork.
func (h *handler) artworkOf(c *call, k artKind) (it Item, arts []artwork, sel int, ok bool) {
	if it, ok = h.visibleItem(c, pathSegment(c.r.URL.Path, 2)); ok {
		arts, sel, ok = h.store.Artwork(it.RatingKey, k)
	}
	if !ok {
		writeError(c.w, http.StatusNotFound)
	}
	return it, arts, sel, ok
}

// listArtwork serves GET /library/metadata/{id}/posters and …/arts.
func (h *handler) listArtwork(c *call) {
	k, _ := kindOfElement(pathSegment(c.r.URL.Path, 3))
	it, arts, sel, ok := h.artworkOf(c, k)
	if !ok {
		return
	}
	list{head: artworkContainer{Size: len(arts), Identifier: libraryIdentifier}, childKey: "Metadata", n: len(arts), child: func(i int) any {
		key := fileKey(it.RatingKey, arts[i].RatingKey)
		return photoElement{Key: key, RatingKey: arts[i].RatingKey, Selected: xbool(i == sel), Thumb: key, Provider: arts[i].Provider}
	}}.write(c.w, c.json)
}

// artworkCall is the item and kind of an upload or a selection, or false when the answer has
// been written: the admin refusal (Config.SharedAdminStatus) to a shared user, 404 for an item the caller cannot see. ok with isArt false
// is an element other than artwork (clearLogo, theme, …), served as before.
func (h *handler) artworkCall(c *call) (items []Item, k artKind, isArt, ok bool) {
	if c.caller.Role != RoleAdmin {
		writeError(c.w, h.cfg.SharedAdminStatus) // as every admin-only operation (401 by default)
		return nil, 0, false, false
	}
	k, isArt = kindOfElement(pathSegment(c.r.URL.Path, 3))
	if !isArt {
		return nil, 0, false, true
	}
	items, ok = h.pathItems(c)
	return items, k, true, ok
}

// uploadArtwork serves POST /library/metadata/{ids}/posters (…/arts, …/thumb, …/art): the image
// at ?url=, or in the body, joins each item's list and is selected.
func (h *handler) uploadArtwork(c *call) {
	items, k, isArt, ok := h.artworkCall(c)
	if !ok {
		return
	}
	if !isArt {
		done(c)
		return
	}
	var w artwork
	if raw := c.query.Get("url"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			writeError(c.w, http.StatusBadRequest)
			return
		}
		w.RatingKey = raw
	} else {
		data, status := readImage(c.r)
		if status != 0 {
			writeError(c.w, status)
			return
		}
		sum := sha1.Sum(data)
		w = artwork{RatingKey: "upload://" + k.list() + "/" + hex.EncodeToString(sum[:]), Data: data, ContentType: imageType(data)}
	}
	for _, it := range items {
		h.store.AddArtwork(it.RatingKey, k, w)
	}
	done(c)
}

// readImage reads an uploaded image: 413 over maxArtworkUpload, 400 for an empty body or one
// that is no PNG, JPEG or WebP.
func readImage(r *http.Request) ([]byte, int) {
	if r.ContentLength > maxArtworkUpload {
		return nil, http.StatusRequestEntityTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxArtworkUpload+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest
	case len(data) > maxArtworkUpload:
		return nil, http.StatusRequestEntityTooLarge
	case imageType(data) == "":
		return nil, http.StatusBadRequest
	}
	return data, 0
}

// imageType is the media type data's magic number says, or "" for none of PNG, JPEG, WebP.
func imageType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return "image/jpeg"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// selectArtwork serves PUT /library/metadata/{ids}/poster?url={ratingKey} (…/art): 400 when
// url names none of the item's artworks.
func (h *handler) selectArtwork(c *call) {
	items, k, isArt, ok := h.artworkCall(c)
	if !ok {
		return
	}
	if !isArt {
		done(c)
		return
	}
	rk := c.query.Get("url")
	for _, it := range items {
		if !h.store.SelectArtwork(it.RatingKey, k, rk) {
			writeError(c.w, http.StatusBadRequest)
			return
		}
	}
	done(c)
}

// serveElement serves GET /library/metadata/{id}/thumb/{timestamp} (…/poster/…, …/art/…): the
// selected artwork. Other elements (clearLogo, theme, …) get the pixel, as before.
func (h *handler) serveElement(c *call) {
	k, isArt := kindOfElement(pathSegment(c.r.URL.Path, 3))
	if !isArt {
		serveEmpty(c, c.op)
		return
	}
	if _, arts, sel, ok := h.artworkOf(c, k); ok {
		writeArtwork(c, arts[sel])
	}
}

// serveFile serves GET /library/metadata/{id}/file?url={ratingKey}, a Photo's key: that
// artwork, 404 for a url that names none of the item's. Without url it answers as before.
func (h *handler) serveFile(c *call) {
	want := c.query.Get("url")
	if want == "" {
		serveEmpty(c, c.op)
		return
	}
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	for _, k := range []artKind{kindPoster, kindArt} {
		arts, _, _ := h.store.Artwork(it.RatingKey, k)
		if i := slices.IndexFunc(arts, func(w artwork) bool { return w.RatingKey == want }); i >= 0 {
			writeArtwork(c, arts[i])
			return
		}
	}
	writeError(c.w, http.StatusNotFound)
}

// writeArtwork sends w's image: its bytes, or the pixel.
func writeArtwork(c *call, w artwork) {
	body, ct := w.Data, w.ContentType
	if body == nil {
		body, ct = pixel("image/jpeg"), "image/jpeg"
	}
	c.w.Header().Set("Content-Type", ct)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(body)
	}
}
