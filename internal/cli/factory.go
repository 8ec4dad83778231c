package cli

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Environment variables the CLI reads (through Factory.Getenv, so tests can set them).
const (
	EnvConfigDir = "PLEXKIT_CONFIG_DIR"
	EnvPlexTVURL = "PLEXKIT_PLEXTV_URL"
)

// DefaultPlexTVURL is plex.tv's API host for auth and account calls.
const DefaultPlexTVURL = "https://clients.plex.tv"

// Factory carries what every command needs. Command constructors receive it before the flags
// are parsed; ConfigDir, JSON and PlexTVURL are filled in after parsing, so commands read them
// when they run, never when they are built.
type Factory struct {
	IO *IOStreams
	// ConfigDir is --config, else $PLEXKIT_CONFIG_DIR, else the user config dir + "/plexkit".
	// It is "" when none can be found; use RequireConfigDir.
	ConfigDir string
	// JSON is --json: machine-readable output.
	JSON bool
	// PlexTVURL is --plextv, else $PLEXKIT_PLEXTV_URL, else DefaultPlexTVURL.
	PlexTVURL string
	Now       func() time.Time
	Getenv    func(string) string

	// Profile is --profile: act as the Home user whose token `plexkit home switch` saved under
	// that name (see profile.go); "" means $PLEXKIT_PROFILE, else the account that logged in.
	Profile string
}

// RequireConfigDir returns ConfigDir, or an error saying how to choose one.
func (f *Factory) RequireConfigDir() (string, error) {
	if f.ConfigDir == "" {
		return "", errors.New("no config directory: set --config DIR or " + EnvConfigDir)
	}
	return f.ConfigDir, nil
}

// resolve fills in the settings that come from flags and the environment.
func (f *Factory) resolve(configFlag, plextvFlag string) {
	switch {
	case configFlag != "":
		f.ConfigDir = configFlag
	case f.Getenv(EnvConfigDir) != "":
		f.ConfigDir = f.Getenv(EnvConfigDir)
	default:
		if dir := userConfigDir(f.Getenv); dir != "" {
			f.ConfigDir = filepath.Join(dir, "plexkit")
		}
	}
	switch {
	case plextvFlag != "":
		f.PlexTVURL = plextvFlag
	case f.Getenv(EnvPlexTVURL) != "":
		f.PlexTVURL = f.Getenv(EnvPlexTVURL)
	default:
		f.PlexTVURL = DefaultPlexTVURL
	}
}

// userConfigDir is os.UserConfigDir, reading the environment through getenv on Unix (where it
// is $XDG_CONFIG_HOME, else $HOME/.config) so that tests can point it at a temporary directory.
func userConfigDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		dir, err := os.UserConfigDir()
		if err != nil {
			return ""
		}
		return dir
	}
	if dir := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return dir
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config")
	}
	return ""
}
