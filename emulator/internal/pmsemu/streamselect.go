package pmsemu

import (
	"net/http"
	"strconv"
)

// Stream selection: PUT /library/parts/{id}?audioStreamID=&subtitleStreamID=[&allParts=1]
// chooses, for the calling account only, which audio and subtitle streams of a part play
// (python-plexapi's MediaPart.setSelectedAudioStream, setSelectedSubtitleStream,
// resetSelectedSubtitleStream). The choice is per account and sparse, in the store's overlay:
// a part nobody chose streams for keeps the selection it was generated or loaded with, and
// GET /library/metadata/{id} shows each account its own selected="1".

// selectionKey names one account's choice for one part.
type selectionKey struct{ account, part int }

// streamSelection is one account's choice for one part. A zero audio keeps the part's own audio
// selection; subtitleSet with subtitle 0 turns subtitles off.
type streamSelection struct {
	audio       int
	subtitle    int
	subtitleSet bool
}

// PartItem returns the item that has the part with id partID, with edits applied. A generated
// item's part has the item's rating key as its id; other items are looked through.
func (st *Store) PartItem(partID int) (Item, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if it, ok := st.itemLocked(partID); ok && findPart(&it, partID) != nil {
		return it, true
	}
	for _, items := range []map[int]*Item{st.edits, st.static} {
		for rk, it := range items {
			if findPart(it, partID) != nil && !st.deleted[rk] {
				return st.itemLocked(rk)
			}
		}
	}
	return Item{}, false
}

// findPart returns the part of it with id partID, or nil.
func findPart(it *Item, partID int) *Part {
	for i := range it.Media {
		for j := range it.Media[i].Parts {
			if it.Media[i].Parts[j].ID == partID {
				return &it.Media[i].Parts[j]
			}
		}
	}
	return nil
}

// streamOf returns the stream of p with id id and type typ, or nil.
func streamOf(p *Part, id, typ int) *Stream {
	for i := range p.Streams {
		if p.Streams[i].ID == id && p.Streams[i].StreamType == typ {
			return &p.Streams[i]
		}
	}
	return nil
}

// similarStream returns the stream of p most like s (the same type, language and codec; or
// type and language), or nil.
func similarStream(p *Part, s *Stream) *Stream {
	var lang *Stream
	for i := range p.Streams {
		o := &p.Streams[i]
		if o.StreamType != s.StreamType || o.LanguageCode != s.LanguageCode {
			continue
		}
		if o.Codec == s.Codec {
			return o
		}
		if lang == nil {
			lang = o
		}
	}
	return lang
}

// SelectStreams records account's choice of audio stream (0: unchanged) and subtitle stream
// (subtitleSet; 0: none) on part partID of it, and with allParts on the similar streams of
// every other part of it. ok is false when a stream is not one of the part's streams of its
// kind.
func (st *Store) SelectStreams(account int, it Item, partID, audio, subtitle int, subtitleSet, allParts bool) bool {
	p := findPart(&it, partID)
	if p == nil {
		return false
	}
	var a, sub *Stream
	if audio != 0 {
		if a = streamOf(p, audio, StreamAudio); a == nil {
			return false
		}
	}
	if subtitleSet && subtitle != 0 {
		if sub = streamOf(p, subtitle, StreamSubtitle); sub == nil {
			return false
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.selections == nil {
		st.selections = map[selectionKey]streamSelection{}
	}
	choose := func(q *Part, a, sub *Stream) {
		k := selectionKey{account, q.ID}
		sel := st.selections[k]
		if a != nil {
			sel.audio = a.ID
		}
		if subtitleSet && (sub != nil || subtitle == 0) {
			sel.subtitle, sel.subtitleSet = 0, true
			if sub != nil {
				sel.subtitle = sub.ID
			}
		}
		if sel != (streamSelection{}) {
			st.selections[k] = sel
		}
	}
	choose(p, a, sub)
	if allParts {
		for i := range it.Media {
			for j := range it.Media[i].Parts {
				q := &it.Media[i].Parts[j]
				if q.ID == partID {
					continue
				}
				var qa, qs *Stream
				if a != nil {
					qa = similarStream(q, a)
				}
				if sub != nil {
					qs = similarStream(q, sub)
				}
				choose(q, qa, qs)
			}
		}
	}
	return true
}

// applySelections marks the streams account chose on it's parts as the selected ones.
func (st *Store) applySelections(account int, it *Item) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if len(st.selections) == 0 {
		return
	}
	cloned := false
	for i := range it.Media {
		for j := range it.Media[i].Parts {
			p := &it.Media[i].Parts[j]
			sel, ok := st.selections[selectionKey{account, p.ID}]
			if !ok {
				continue
			}
			if !cloned { // the caller's item may share its streams with another copy
				*it, cloned = cloneItem(*it), true
				p = &it.Media[i].Parts[j]
			}
			for k := range p.Streams {
				s := &p.Streams[k]
				switch {
				case s.StreamType == StreamAudio && sel.audio != 0:
					s.Selected = s.ID == sel.audio
				case s.StreamType == StreamSubtitle && sel.subtitleSet:
					s.Selected = s.ID == sel.subtitle
				}
			}
		}
	}
}

// selectStreams serves PUT /library/parts/{id}?audioStreamID=&subtitleStreamID=[&allParts=1].
// A part the caller cannot see is 404; a stream that is not the part's, 400 (as the spec
// documents); a request that names no stream changes nothing.
func (h *handler) selectStreams(c *call) {
	partID, ok := ParseRatingKey(pathSegment(c.r.URL.Path, 2))
	var it Item
	if ok {
		it, ok = h.store.PartItem(partID)
	}
	if !ok || !c.canSee(h.store.Section(it.SectionKey)) {
		writeError(c.w, http.StatusNotFound)
		return
	}
	id := func(name string) (int, bool, bool) {
		v := c.query.Get(name)
		if v == "" {
			return 0, false, true
		}
		n, err := strconv.Atoi(v)
		return n, true, err == nil && n >= 0
	}
	audio, _, okA := id("audioStreamID")
	sub, subSet, okS := id("subtitleStreamID")
	if !okA || !okS || !h.store.SelectStreams(h.account(c), it, partID, audio, sub, subSet, c.query.Get("allParts") == "1") {
		writeText(c, http.StatusBadRequest, "Bad Request: a stream is not one of the part's audio or subtitle streams")
		return
	}
	writeOK(c)
}
