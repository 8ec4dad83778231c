package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/internal/atomicfile"
	"github.com/plexkit/plexkit/plextv"
)

// A profile is another plex.tv account this installation acts as: a user of the Plex Home,
// saved by `plexkit home switch`. Each lives in its own directory of the config directory,
//
//	<config>/profiles/<name>/token.json     the user's token (0600, in a 0700 directory)
//	<config>/profiles/<name>/profile.json   who it is: {"id","uuid","title","username","switchedAt"}
//
// and every account or server command acts as it with --profile <name> (or $PLEXKIT_PROFILE).
// The device (key and client identifier) stays the installation's own: it is this device that
// switched. The token is the one plex.tv hands out for a switch, an account token of that user
// that plexkit cannot refresh; when plex.tv stops accepting it, switch again. `plexkit --profile
// NAME logout` forgets the profile (deletes its directory).

// EnvProfile chooses a profile, as --profile does.
const EnvProfile = "PLEXKIT_PROFILE"

// profilesDir is the directory of the config directory that holds the profiles.
const profilesDir = "profiles"

// profileFile records who a profile is, beside its token.
const profileFile = "profile.json"

// profile returns the profile the command acts as: --profile, else $PLEXKIT_PROFILE, else "".
func (f *Factory) profile() string {
	if f.Profile != "" {
		return f.Profile
	}
	return f.Getenv(EnvProfile)
}

var profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// checkProfileName refuses a name that is not a plain directory name.
func checkProfileName(name string) error {
	if !profileNameRE.MatchString(name) {
		return usageErrorf("profile name %q: use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// profileNameFor derives a profile name from a Home user: the username, else the title, in
// lowercase with anything else than letters, digits, '.', '_' and '-' turned into '-'.
func profileNameFor(u plextv.HomeUser) string {
	base := u.Username
	if base == "" {
		base = u.Title
	}
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-.")
	if len(name) > 64 {
		name = name[:64]
	}
	if name == "" {
		name = fmt.Sprintf("user-%d", u.ID)
	}
	return name
}

// profileRecord is profile.json.
type profileRecord struct {
	ID         int64     `json:"id"`
	UUID       string    `json:"uuid"`
	Title      string    `json:"title"`
	Username   string    `json:"username,omitempty"`
	SwitchedAt time.Time `json:"switchedAt"`
}

// profilePath returns the directory of the profile name in the config directory dir.
func profilePath(dir, name string) string { return filepath.Join(dir, profilesDir, name) }

// saveProfile saves the token and the record of profile name, replacing what was there.
func saveProfile(ctx context.Context, dir, name string, tok *auth.Token, rec profileRecord) (string, error) {
	pdir := profilePath(dir, name)
	if err := (&auth.FileStore{Dir: pdir}).Save(ctx, tok); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(filepath.Join(pdir, profileFile), append(b, '\n'), atomicfile.FilePerm, false); err != nil {
		return "", err
	}
	return pdir, nil
}

// savedProfiles returns the names of the saved profiles by the uuid of their user.
func savedProfiles(dir string) map[string]string {
	out := map[string]string{}
	entries, err := os.ReadDir(filepath.Join(dir, profilesDir))
	if err != nil {
		return out
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, profilesDir, e.Name(), profileFile))
		if err != nil {
			continue
		}
		var rec profileRecord
		if json.Unmarshal(b, &rec) == nil && rec.UUID != "" {
			out[rec.UUID] = e.Name()
		}
	}
	return out
}

// openProfileSession is openSession for a profile: the installation's device, the profile's
// token. The token is static; a refresh (which plexkit cannot do for it) says to switch again.
func openProfileSession(f *Factory, dir string, dev *devicekey.Device, name string) (*session, error) {
	if err := checkProfileName(name); err != nil {
		return nil, err
	}
	store := &auth.FileStore{Dir: profilePath(dir, name)}
	tok, err := store.Load(context.Background())
	if errors.Is(err, auth.ErrNoToken) || errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no profile %q in %s: save one with `plexkit home switch USER`", name, filepath.Join(dir, profilesDir))
	}
	if err != nil {
		return nil, err
	}
	c, err := plexTVClient(f, dev)
	if err != nil {
		return nil, err
	}
	again := auth.TokenSourceFunc(func(context.Context) (*auth.Token, error) {
		return nil, fmt.Errorf("the token of profile %q cannot be refreshed: run `plexkit home switch` again", name)
	})
	src := auth.NewCachedSource(again, auth.CacheOptions{Initial: tok, Now: c.Now})
	return &session{dir: store.Dir, dev: dev, client: c, store: store, src: src}, nil
}

// forgetProfile is `plexkit --profile NAME logout`: it deletes the profile's directory, and
// nothing of the installation's own login.
func forgetProfile(f *Factory, dir, name string, forgetKey bool) error {
	if err := checkProfileName(name); err != nil {
		return err
	}
	if forgetKey {
		return usageErrorf("--forget-key deletes the installation's device key, which profile %q does not have: log out without --profile", name)
	}
	pdir := profilePath(dir, name)
	_, statErr := os.Stat(pdir)
	had := statErr == nil
	if err := os.RemoveAll(pdir); err != nil {
		return err
	}
	if had {
		fmt.Fprintf(f.IO.ErrOut, "Forgot profile %q: deleted %s.\n", name, pdir)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "No profile %q in %s.\n", name, filepath.Join(dir, profilesDir))
	}
	if f.JSON {
		return printJSON(f.IO, logoutResult{DeletedToken: had})
	}
	return nil
}
