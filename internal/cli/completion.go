package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

func init() { register(newCompletionCmd) }

// completionShells are the shells cobra writes completion scripts for, in the order of help.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCmd replaces cobra's default completion command (cobra adds its own only when
// the root has none), so that it follows plexkit's conventions: an example in its help, usage
// errors that exit 2, and descriptions in every shell's completions.
func newCompletionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion " + strings.Join(completionShells, "|"),
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: `Print the script that teaches your shell to complete plexkit's commands and flags, with a
short description of each. Load it in the current shell, or install it once:

  bash        source <(plexkit completion bash)
              plexkit completion bash > /etc/bash_completion.d/plexkit   (needs bash-completion)
  zsh         plexkit completion zsh > "${fpath[1]}/_plexkit"            (then start a new shell)
  fish        plexkit completion fish > ~/.config/fish/completions/plexkit.fish
  PowerShell  plexkit completion powershell | Out-String | Invoke-Expression`,
		Example: `  source <(plexkit completion bash)
  plexkit completion zsh > "${fpath[1]}/_plexkit"
  plexkit completion fish > ~/.config/fish/completions/plexkit.fish`,
		ValidArgs:             completionShells,
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("%q takes 1 argument, the shell (%s), got %d", cmd.CommandPath(), strings.Join(completionShells, ", "), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), f.IO.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return usageErrorf("plexkit has no completion for %q: choose one of %s", args[0], strings.Join(completionShells, ", "))
		},
	}
}
