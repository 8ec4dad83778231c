package pmsemu

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Rendering items of the model as Plex writes them: element names by type, parents keyed to
// their children, per-account state, and the shaping a request asks for (includeGuids,
// excludeFields, excludeElements).

// view is how one request wants items rendered.
type view struct {
	account int  // server-local id whose state is shown
	detail  bool // GET /library/metadata/{id}: tags with ids and filters, streams
	// guids is whether Guid children are sent: only on includeGuids=1 (which python-plexapi
	// sends by default). The spec types a Guid's id as an integer, and JSON clients generated
	// from it (plexjs) reject the "imdb://…" strings real servers send, so they are not sent
	// unasked, in JSON or (for answers that agree) XML.
	guids    bool
	exFields map[string]bool
	exElems  map[string]bool
}

// viewOf reads the shaping parameters of c.
func (h *handler) viewOf(c *call, detail bool) view {
	v := view{account: h.account(c), detail: detail, guids: c.query.Get("includeGuids") == "1"}
	v.exFields = csvSet(c.query.Get("excludeFields"))
	v.exElems = csvSet(c.query.Get("excludeElements"))
	return v
}

func csvSet(s string) map[string]bool {
	if s == "" {
		return nil
	}
	m := map[string]bool{}
	for f := range strings.SplitSeq(s, ",") {
		m[strings.TrimSpace(f)] = true
	}
	return m
}

// elementOf is the XML element of an item type.
func elementOf(typ string) string {
	switch typ {
	case "movie", "episode", "clip":
		return "Video"
	case "track":
		return "Track"
	case "photo":
		return "Photo"
	}
	return "Directory"
}

// wireType is the type attribute of an item type: photo albums are "photo" directories.
func wireType(typ string) string {
	if typ == "photoalbum" {
		return "photo"
	}
	return typ
}

// tagID is the id of a tag: stable per name, as a PMS's tag table gives it (the emulator shares
// one id between kinds, so Drama the genre and Drama the label have the same id).
func tagID(name string) int {
	f := fnv.New32a()
	f.Write([]byte(strings.ToLower(name)))
	return 1 + int(f.Sum32()%1_000_000)
}

// filterName is the media-query field a tag kind filters on.
func filterName(kind string) string {
	if kind == "role" {
		return "actor"
	}
	return kind
}

// tags renders names as tag children of kind: the tag alone in lists, id and filter too in
// detail views.
func (v view) tags(kind string, names []string, listMax int) []tag {
	if len(names) == 0 || v.exElems[strings.ToUpper(kind[:1])+kind[1:]] {
		return nil
	}
	if !v.detail && len(names) > listMax {
		names = names[:listMax]
	}
	out := make([]tag, len(names))
	for i, n := range names {
		out[i].Tag = n
		if v.detail {
			out[i].ID = tagID(n)
			out[i].Filter = filterName(kind) + "=" + strconv.Itoa(out[i].ID)
		}
	}
	return out
}

// render turns an item of the model into its wire form for v.
func (h *handler) render(it Item, v view) metadata {
	if v.detail {
		h.store.applySelections(v.account, &it)
	}
	st := h.store
	rk := strconv.Itoa(it.RatingKey)
	m := metadata{
		element:               elementOf(it.Type),
		RatingKey:             rk,
		Key:                   "/library/metadata/" + rk,
		GUID:                  it.GUID,
		Type:                  wireType(it.Type),
		Title:                 it.Title,
		TitleSort:             it.TitleSort,
		OriginalTitle:         it.OriginalTitle,
		Slug:                  it.Slug,
		Studio:                it.Studio,
		ContentRating:         it.ContentRating,
		Tagline:               it.Tagline,
		Summary:               it.Summary,
		Index:                 it.Index,
		ParentIndex:           it.ParentIndex,
		Year:                  it.Year,
		OriginallyAvailableAt: it.OriginallyAvailableAt,
		Duration:              it.Duration,
		Rating:                it.Rating,
		AudienceRating:        it.AudienceRating,
		RatingImage:           it.RatingImage,
		AudienceRatingImage:   it.AudienceRatingImage,
		Thumb:                 it.Thumb,
		Art:                   it.Art,
		AddedAt:               it.AddedAt,
		UpdatedAt:             it.UpdatedAt,
		ChildCount:            it.ChildCount,
		LeafCount:             it.LeafCount,
		PrimaryExtraKey:       st.primaryExtraKey(it),
		ExtraType:             it.ExtraType,
		Subtype:               it.Subtype,
	}
	if sec := st.Section(it.SectionKey); sec != nil {
		m.LibrarySectionID, m.LibrarySectionTitle, m.LibrarySectionKey = sec.Key, sec.Title, sec.sectionKey
		if v.detail && (it.Type == "show" || it.Type == "artist") {
			m.Location = []folder{{Path: "/data/" + sec.Title + "/" + it.Title}}
		}
	}
	if it.ChildCount > 0 || isParentType(it.Type) {
		m.Key += "/children"
		n := st.ViewedLeafCount(v.account, it.RatingKey)
		m.ViewedLeafCount = &n
		if it.Type == "show" || it.Type == "artist" {
			m.ChildCount = it.ChildCount
		}
	}
	if it.ParentRatingKey != 0 {
		p := strconv.Itoa(it.ParentRatingKey)
		m.ParentRatingKey, m.ParentKey, m.ParentTitle, m.ParentThumb = p, "/library/metadata/"+p, it.ParentTitle, it.ParentThumb
	}
	if it.GrandparentRatingKey != 0 {
		g := strconv.Itoa(it.GrandparentRatingKey)
		m.GrandparentRatingKey, m.GrandparentKey, m.GrandparentTitle, m.GrandparentThumb = g, "/library/metadata/"+g, it.GrandparentTitle, it.GrandparentThumb
	}
	if s := st.State(v.account, it.RatingKey); s != (UserState{}) {
		m.ViewCount, m.ViewOffset, m.LastViewedAt = s.ViewCount, s.ViewOffset, s.LastViewedAt
		if s.Rated {
			r := s.UserRating
			m.UserRating, m.LastRatedAt = &r, s.LastRatedAt
		}
	}
	for f := range v.exFields {
		switch f {
		case "summary":
			m.Summary = ""
		case "tagline":
			m.Tagline = ""
		case "thumb":
			m.Thumb = ""
		case "art":
			m.Art = ""
		case "originalTitle":
			m.OriginalTitle = ""
		case "titleSort":
			m.TitleSort = ""
		case "studio":
			m.Studio = ""
		}
	}
	m.Genre = v.tags("genre", it.Genres, 2)
	m.Director = v.tags("director", it.Directors, 1)
	m.Writer = v.tags("writer", it.Writers, 1)
	m.Role = v.tags("role", it.Roles, 3)
	m.Country = v.tags("country", it.Countries, 1)
	m.Label = v.tags("label", it.Labels, 3)
	m.Collection = v.tags("collection", it.Collections, 3)
	if v.guids && !v.exElems["Guid"] {
		for _, g := range it.Guids {
			m.Guid = append(m.Guid, guid{ID: g})
		}
	}
	if v.detail && !v.exElems["Rating"] && it.Rating != 0 {
		m.Ratings = []ratingElem{
			{Image: it.RatingImage, Value: it.Rating, Type: "critic"},
			{Image: it.AudienceRatingImage, Value: it.AudienceRating, Type: "audience"},
		}
	}
	if !v.exElems["Media"] {
		m.Media = wireMedia(it.Media, v.detail)
	}
	return m
}

func isParentType(t string) bool {
	switch t {
	case "show", "season", "artist", "album", "photoalbum", "collection":
		return true
	}
	return false
}

// wireMedia renders an item's media; streams only in detail views, as a PMS lists them.
func wireMedia(ms []Media, detail bool) []media {
	if len(ms) == 0 {
		return nil
	}
	out := make([]media, len(ms))
	for i, m := range ms {
		w := media{ID: m.ID, Duration: m.Duration, Bitrate: m.Bitrate, Width: m.Width, Height: m.Height,
			AspectRatio: m.AspectRatio, AudioChannels: m.AudioChannels, AudioCodec: m.AudioCodec,
			AudioProfile: m.AudioProfile, VideoCodec: m.VideoCodec, VideoProfile: m.VideoProfile,
			VideoResolution: m.VideoResolution, VideoFrameRate: m.VideoFrameRate, Container: m.Container}
		w.Part = make([]part, len(m.Parts))
		for j, p := range m.Parts {
			wp := part{ID: p.ID, Key: p.Key, Duration: p.Duration, File: p.File, Size: p.Size, Container: p.Container}
			if detail {
				for _, s := range p.Streams {
					ws := stream{ID: s.ID, StreamType: s.StreamType, Index: s.Index, Codec: s.Codec,
						Default: xbool(s.Default), Selected: xbool(s.Selected), Forced: xbool(s.Forced),
						DisplayTitle: s.DisplayTitle, ExtendedDisplayTitle: s.ExtendedDisplayTitle,
						Language: s.Language, LanguageCode: s.LanguageCode, Bitrate: s.Bitrate,
						Width: s.Width, Height: s.Height, FrameRate: s.FrameRate, Profile: s.Profile,
						Channels: s.Channels, SamplingRate: s.SamplingRate, AudioChannelLayout: s.AudioChannelLayout}
					if s.StreamType == StreamVideo {
						ws.CodedWidth, ws.CodedHeight = s.Width, s.Height
					}
					wp.Stream = append(wp.Stream, ws)
				}
			}
			w.Part[j] = wp
		}
		out[i] = w
	}
	return out
}

// renderKey renders the item with rating key rk, or ok false when there is none.
func (h *handler) renderKey(rk int, v view) (metadata, bool) {
	it, ok := h.store.Item(rk)
	if !ok {
		return metadata{}, false
	}
	return h.render(it, v), true
}
