// Package cli is the plexkit command: cobra commands over the plexkit library, their output
// (aligned tables on a terminal, tab-separated when piped, JSON with --json), the config
// directory, and the mapping of errors to exit codes (0 ok, 1 failure, 2 usage).
//
// Each command lives in its own file and adds itself from init with register, so that adding a
// command never means editing this file. What every command inherits, and a new command should
// use rather than redo (each file's top comment says how):
//
//   - errout.go: errors become one line (what, why, fix) or {"error": …} with --json; --debug
//     logs HTTP requests (build clients with plexTVClient / f.httpClient / f.pmsOptions);
//   - termsafe.go: control characters from servers are escaped on both streams;
//   - progress.go: a spinner for waits on a terminal;
//   - output.go and items.go: tables, printList, and stream for long listings.
package cli

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
//
// Run wraps both streams in the terminal-safe writer (termsafe.go) and prints the command's error
// through reportError (errout.go): every command inherits both.
func Run(args []string, streams *IOStreams, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	f := &Factory{Now: time.Now, Getenv: getenv}
	safe := *streams
	safe.Out = &termSafe{w: streams.Out, active: func() bool { return !f.JSON }}
	safe.ErrOut = &termSafe{w: streams.ErrOut}
	f.IO = &safe
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(safe.In)
	root.SetOut(safe.Out)
	root.SetErr(safe.ErrOut)
	if c, err := unknownCommandIn(root, args); err != nil {
		f.JSON = jsonFlagIn(args)
		return reportError(f, c, err)
	}
	cmd, err := root.ExecuteC()
	err = requiredFlagsError(err)
	if err != nil && !f.JSON {
		f.JSON = jsonFlagIn(args)
	}
	return reportError(f, cmd, err)
}

// requiredFlags reads the flag names out of cobra's `required flag(s) "a", "b" not set`.
var requiredFlags = regexp.MustCompile(`"([^"]+)"`)

// requiredFlagsError says cobra's missing required flags the way plexkit says usage errors
// ("--end is required"); any other error is returned as it is.
func requiredFlagsError(err error) error {
	if err == nil || !strings.HasPrefix(err.Error(), "required flag(s) ") {
		return err
	}
	var names []string
	for _, m := range requiredFlags.FindAllStringSubmatch(err.Error(), -1) {
		names = append(names, "--"+m[1])
	}
	if len(names) == 0 {
		return &UsageError{Err: err}
	}
	verb := "is"
	if len(names) > 1 {
		verb = "are"
	}
	return usageErrorf("%s %s required", andList(names), verb)
}

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// unknownCommandIn finds the command args name, and returns it with an unknown-command error
// when the first argument it would take is instead a misspelt subcommand (noArgs and keyArgs
// say which). It runs before cobra parses flags, so that `plexkit sesions --server x` is said
// as the unknown command it is, not as a flag the root does not know.
func unknownCommandIn(root *cobra.Command, args []string) (*cobra.Command, error) {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return root, nil // shell completion: cobra answers it, misspelt words included
	}
	// The commands cobra adds itself when it executes, so that they are known here too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == nil || !cmd.HasSubCommands() {
		return cmd, nil
	}
	pos := positionals(cmd, rest)
	if len(pos) == 0 || cmd.Args == nil {
		return cmd, nil
	}
	var usage *UsageError
	if err := cmd.Args(cmd, pos); errors.As(err, &usage) && strings.HasPrefix(usage.Error(), "unknown command ") {
		return cmd, err
	}
	return cmd, nil
}

// positionals are the arguments of args that are no flags or flag values of cmd (an unknown
// flag is taken to have no value); everything after "--" is positional.
func positionals(cmd *cobra.Command, args []string) []string {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(pos, args[i+1:]...)
		case !strings.HasPrefix(a, "-") || a == "-":
			pos = append(pos, a)
		case strings.Contains(a, "="):
		default:
			var fl *pflag.Flag
			if strings.HasPrefix(a, "--") {
				fl = cmd.Flags().Lookup(a[2:])
				if fl == nil {
					fl = cmd.InheritedFlags().Lookup(a[2:])
				}
			} else if len(a) == 2 {
				fl = cmd.Flags().ShorthandLookup(a[1:])
				if fl == nil {
					fl = cmd.InheritedFlags().ShorthandLookup(a[1:])
				}
			}
			if fl != nil && fl.NoOptDefVal == "" {
				i++
			}
		}
	}
	return pos
}

// unknownCommand is the usage error for arg given to cmd where a subcommand was expected, with
// the subcommands it is close to (cobra's suggestions: a small edit distance, or a prefix).
func unknownCommand(cmd *cobra.Command, arg string) error {
	msg := fmt.Sprintf("unknown command %q", arg)
	if cmd.HasParent() {
		msg += fmt.Sprintf(" for %q", cmd.CommandPath())
	}
	// Two edits (cobra's default) for a word, one for a word of three letters or fewer, to
	// which two edits make almost any short command ("ad" would be "add" or "rm").
	if old := cmd.SuggestionsMinimumDistance; old <= 0 {
		cmd.SuggestionsMinimumDistance = 2
		if len(arg) <= 3 {
			cmd.SuggestionsMinimumDistance = 1
		}
		defer func() { cmd.SuggestionsMinimumDistance = old }()
	}
	var quoted []string
	for _, n := range cmd.SuggestionsFor(arg) {
		if q := strconv.Quote(n); !slices.Contains(quoted, q) {
			quoted = append(quoted, q)
		}
	}
	if len(quoted) > 0 {
		msg += "; did you mean " + strings.Replace(andList(quoted), " and ", " or ", 1) + "?"
	} else {
		msg += fmt.Sprintf("; see `%s --help` for its commands", cmd.CommandPath())
	}
	return &UsageError{Err: errors.New(msg)}
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
		Version:       currentVersion().String(),
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
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	pf := root.PersistentFlags()
	pf.StringVar(&configFlag, "config", "", "config directory (env "+EnvConfigDir+"; default: the user config dir + /plexkit)")
	pf.BoolVar(&f.JSON, "json", false, "print JSON (errors too: {\"error\": …} on stderr)")
	pf.BoolVar(&f.Debug, "debug", false, "print every HTTP request (tokens redacted) and the full error chain on stderr")
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
		return unknownCommand(cmd, args[0])
	}
	return usageErrorf("%q takes no arguments, got %q", cmd.CommandPath(), args[0])
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%q takes %s (%s), got %d", cmd.CommandPath(), plural(int64(n), "argument"), names, len(args))
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
