package plextv

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/internal/atomicfile"
)

// KeyStore keeps plex.tv's key set between runs of a program, so that a new process verifies
// tokens without fetching it again: a refresh then costs two requests (nonce and exchange), not
// three. The Verifier treats what it loads like a set it fetched at fetchedAt: it is used until
// VerifierOptions.CacheTTL has passed, and refetched at once for a kid it lacks.
type KeyStore interface {
	// LoadKeys returns the saved set and when it was fetched; an error matching
	// fs.ErrNotExist when there is none.
	LoadKeys() (set *jose.JSONWebKeySet, fetchedAt time.Time, err error)
	// SaveKeys replaces the saved set.
	SaveKeys(set *jose.JSONWebKeySet, fetchedAt time.Time) error
}

// KeyFile is a KeyStore in one file, written atomically with mode 0600 and refused, like the
// token file, when other users could change it (the set decides which tokens verify).
type KeyFile struct {
	// Path is the file, e.g. the config directory's plextv-keys.json.
	Path string
	// URL names the plex.tv the keys are of (its base URL); a file saved for another is not
	// used, so that one config directory serves plex.tv and an emulator in turn.
	URL string
}

// keyFileData is the file format: {"url": "…", "fetchedAt": "…", "keys": [JWK, …]}.
type keyFileData struct {
	URL       string            `json:"url"`
	FetchedAt time.Time         `json:"fetchedAt"`
	Keys      []json.RawMessage `json:"keys"`
}

// LoadKeys implements KeyStore.
func (f *KeyFile) LoadKeys() (*jose.JSONWebKeySet, time.Time, error) {
	if err := atomicfile.CheckPrivate(f.Path); err != nil {
		return nil, time.Time{}, err
	}
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, time.Time{}, err
	}
	var d keyFileData
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, time.Time{}, fmt.Errorf("plextv: key file %s: %w", f.Path, ErrBadKeySet)
	}
	if d.URL != f.URL {
		return nil, time.Time{}, fmt.Errorf("plextv: key file %s holds the keys of %s: %w", f.Path, d.URL, fs.ErrNotExist)
	}
	set, err := ParseKeySet(mustJSON(map[string]any{"keys": d.Keys}))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("plextv: key file %s: %w", f.Path, err)
	}
	return set, d.FetchedAt, nil
}

// SaveKeys implements KeyStore.
func (f *KeyFile) SaveKeys(set *jose.JSONWebKeySet, fetchedAt time.Time) error {
	keys := make([]json.RawMessage, 0, len(set.Keys))
	for _, k := range set.Keys {
		b, err := k.Public().MarshalJSON()
		if err != nil {
			continue // a key that cannot be written is one the next run fetches again
		}
		keys = append(keys, b)
	}
	b, err := json.MarshalIndent(keyFileData{URL: f.URL, FetchedAt: fetchedAt.UTC(), Keys: keys}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.EnsureDir(filepath.Dir(f.Path)); err != nil {
		return err
	}
	return atomicfile.WriteFile(f.Path, append(b, '\n'), atomicfile.FilePerm, false)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v) // raw messages and a map always marshal
	return b
}

// loadStored fills an empty verifier from its KeyStore, once.
func (v *Verifier) loadStored() {
	if v.store == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.loaded || v.keys != nil {
		return
	}
	v.loaded = true
	// A set that cannot be read (missing, unreadable, refused for its permissions) is fetched
	// instead, and the fetch saves a good one over it.
	set, at, err := v.store.LoadKeys()
	if err != nil {
		return
	}
	keys, err := usableKeys(set)
	if err != nil || at.After(v.now().Add(time.Minute)) {
		return // unusable, or dated in the future: fetch instead
	}
	v.keys, v.fetchedAt = keys, at
}
