package cli

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/plexkit/plexkit", Version: "v0.3.1"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-30T15:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionOf(bi).String(), "plexkit v0.3.1 (go1.26.8, commit 0123456789ab of 2026-11-30T15:00:00Z, with uncommitted changes)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := versionOf(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}).String(), "plexkit (devel) (go1.26.8)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := versionOf(nil).String(); got != "plexkit (unknown) ((unknown))" {
		t.Errorf("without build info: %q", got)
	}
}

// TestVersionCommand: `plexkit version` and `plexkit --version` print the same line, read from
// this binary's build info.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	a := runCLI(t, nil, "", "version").mustSucceed(t)
	b := runCLI(t, nil, "", "--version").mustSucceed(t)
	if a.stdout != b.stdout || !strings.HasPrefix(a.stdout, "plexkit ") || !strings.Contains(a.stdout, runtime.Version()) {
		t.Errorf("version %q, --version %q; want the same line with %s", a.stdout, b.stdout, runtime.Version())
	}
	j := runCLI(t, nil, "", "version", "--json").mustSucceed(t)
	var v buildVersion
	if err := json.Unmarshal([]byte(j.stdout), &v); err != nil || v.GoVersion != runtime.Version() || v.Version == "" {
		t.Errorf("version --json: %v %+v", err, v)
	}
}
