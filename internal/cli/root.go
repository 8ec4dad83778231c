// Package cli is the plexkit command: cobra commands over the plexkit library, their output
// (aligned tables on a terminal, tab-separated when piped, JSON with --json), the config
// directory, and the mapping of errors to exit codes (0 ok, 1 failure, 2 usage).
//
// Each command lives in its own file and adds itself from init with register, so that adding a
// command never means editing this file.
package cli

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// ExitError ends the command with Code. Err, when not nil, is printed on stderr first; a command
// that has already explained itself returns an ExitError without Err.
type ExitError struct {
	Code int
	Err  error
}

// Error implements error.
func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// UsageError is a command line that cannot be run as given: an unknown command or flag, a
// missing argument, a bad flag value. It exits with ExitUsage.
type UsageError struct {
	Err error
}

// Error implements error.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *UsageError) Unwrap() error { return e.Err }

// usageErrorf returns a *UsageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

var (
	registryMu sync.Mutex
	registry   []func(*Factory) *cobra.Command
)

// register adds a top-level command. Command files call it from init.
func register(newCmd func(*Factory) *cobra.Command) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry = append(registry, newCmd)
}

func init() {
	// Run the root's PersistentPreRunE (which resolves the config dir) even when a
	// subcommand has hooks of its own.
	cobra.EnableTraverseRunHooks = true
}

// Run runs plexkit with args (without the program name) and returns the exit code. Tests and
// acceptance scripts call it with TestIO and their own environment.
func Run(args []string, streams *IOStreams, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	f := &Factory{IO: streams, Now: time.Now, Getenv: getenv}
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	cmd, err := root.ExecuteC()
	return exitCode(streams, cmd, err)
}

// exitCode is the one place errors become exit codes and stderr lines. Every line is redacted:
// an argument or an error may hold a token.
func exitCode(streams *IOStreams, cmd *cobra.Command, err error) int {
	if err == nil {
		return ExitOK
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		if exit.Err != nil {
			fmt.Fprintln(streams.ErrOut, "plexkit: "+plexkit.Redact(exit.Err.Error()))
		}
		return exit.Code
	}
	var usage *UsageError
	if errors.As(err, &usage) || isCobraUsage(err) {
		fmt.Fprintln(streams.ErrOut, "plexkit: "+plexkit.Redact(err.Error()))
		if cmd != nil {
			fmt.Fprintf(streams.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return ExitUsage
	}
	fmt.Fprintln(streams.ErrOut, "plexkit: "+plexkit.Redact(err.Error()))
	return ExitFailure
}

// isCobraUsage recognises the usage errors cobra makes itself without a hook to type them:
// unknown commands and required flags.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command ") || strings.HasPrefix(msg, "required flag(s) ")
}

func newRootCmd(f *Factory) *cobra.Command {
	var configFlag, plextvFlag string
	root := &cobra.Command{
		Use:   "plexkit",
		Short: "Plex authentication, account and server tools",
		Long: `plexkit signs in to Plex with a device key (the 2025 JWT flow), keeps its Plex JWT fresh,
lists your servers and what they are doing, and explains refused calls.

Exit codes: 0 ok, 1 failure, 2 usage error.`,
		Example: `  plexkit key generate
  plexkit --config /tmp/pk key show --kid
  plexkit jwt decode "$TOKEN"`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			f.resolve(configFlag, plextvFlag)
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	pf := root.PersistentFlags()
	pf.StringVar(&configFlag, "config", "", "config directory (env "+EnvConfigDir+"; default: the user config dir + /plexkit)")
	pf.BoolVar(&f.JSON, "json", false, "print JSON")
	pf.StringVar(&plextvFlag, "plextv", "", "plex.tv API base URL (env "+EnvPlexTVURL+"; default "+DefaultPlexTVURL+")")
	pf.StringVar(&f.Profile, "profile", "", "act as the Home user saved under this name by 'plexkit home switch' (env "+EnvProfile+")")

	registryMu.Lock()
	defer registryMu.Unlock()
	for _, newCmd := range registry {
		root.AddCommand(newCmd(f))
	}
	return root
}

// noArgs refuses arguments to a command that takes none (or that groups subcommands, where an
// argument is a mistyped subcommand), as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return usageErrorf("%q takes no arguments, got %q", cmd.CommandPath(), args[0])
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%q takes %d argument(s) (%s), got %d", cmd.CommandPath(), n, names, len(args))
		}
		return nil
	}
}

// groupCmd returns a command that only groups subcommands: run bare it shows its help; an
// unknown subcommand is a usage error.
func groupCmd(use, short, long string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
}
