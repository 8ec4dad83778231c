package cli

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Environment variables the CLI reads (through Factory.Getenv, so tests can set them).
const (
	EnvConfigDir = "PLEXKIT_CONFIG_DIR"
	EnvPlexTVURL = "PLEXKIT_PLEXTV_URL"
	// EnvServer is the server every --server flag defaults to (the flag wins).
	EnvServer = "PLEXKIT_SERVER"
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
	// Debug is --debug: HTTP request lines and the full error chain on stderr (errout.go).
	Debug bool
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

// serverFlagHelp is the help of every --server flag.
const serverFlagHelp = "the server: its name, machine identifier or URL (env " + EnvServer + "; default: the account's only server)"

// serverSel is the server a command was asked to work on: --server's value sel, else
// $PLEXKIT_SERVER, else "" (the account's only server); fromEnv says it came from the
// environment, which an error about it then names.
func (f *Factory) serverSel(sel string) (name string, fromEnv bool) {
	if sel = strings.TrimSpace(sel); sel != "" {
		return sel, false
	}
	env := strings.TrimSpace(f.Getenv(EnvServer))
	return env, env != ""
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
