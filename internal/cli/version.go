package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

// buildVersion is what this binary knows about its own build, read from the build info the Go
// toolchain embeds: the module version (a tag for `go install …@vX.Y.Z`, a pseudo-version or
// "(devel)" for a build from a clone), the Go version, and the VCS revision when built in a
// git checkout.
type buildVersion struct {
	Version    string `json:"version"`
	GoVersion  string `json:"goVersion"`
	Commit     string `json:"commit,omitempty"`
	CommitTime string `json:"commitTime,omitempty"`
	Modified   bool   `json:"modified,omitempty"`
}

// versionOf reads bi (nil when the binary has no build info).
func versionOf(bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: "(unknown)", GoVersion: "(unknown)"}
	if bi == nil {
		return v
	}
	v.GoVersion = bi.GoVersion
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line `plexkit --version` prints.
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plexkit %s (%s", v.Version, v.GoVersion)
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		fmt.Fprintf(&b, ", commit %s", c)
		if v.CommitTime != "" {
			fmt.Fprintf(&b, " of %s", v.CommitTime)
		}
		if v.Modified {
			b.WriteString(", with uncommitted changes")
		}
	}
	b.WriteString(")")
	return b.String()
}

// currentVersion is this binary's version.
func currentVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print plexkit's version, Go version and commit",
		Long: `Print the version of this plexkit binary, from the build information Go embeds: the module
version (a release tag, or a pseudo-version / "(devel)" for a build from a clone), the Go
version, and the git commit it was built from. --version prints the same line.
With --json: {"version", "goVersion", "commit", "commitTime", "modified"}.`,
		Example: `  plexkit version
  plexkit --version
  plexkit version --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := currentVersion()
			if f.JSON {
				return printJSON(f.IO, v)
			}
			_, err := fmt.Fprintln(f.IO.Out, v.String())
			return err
		},
	}
}
