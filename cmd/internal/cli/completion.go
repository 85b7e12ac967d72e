package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shell completion asks the program itself: each script runs it with the words typed so far
// and urfave/cli's --generate-bash-completion, which prints the commands or flags that may come
// next, so a completion never falls behind the program it completes. fish gets urfave/cli's own
// static script.
func completionCommand(program string) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh, fish or powershell)",
		ArgsUsage: "SHELL",
		Description: strings.ReplaceAll("Load it in the current shell, or save it where the shell finds completions:\n"+
			"  bash        source <(PROGRAM completion bash)\n"+
			"              or save it as /usr/share/bash-completion/completions/PROGRAM\n"+
			"  zsh         source <(PROGRAM completion zsh)\n"+
			"              or save it as _PROGRAM in a directory of $fpath\n"+
			"  fish        PROGRAM completion fish | source\n"+
			"              or save it as ~/.config/fish/completions/PROGRAM.fish\n"+
			"  PowerShell  PROGRAM completion powershell | Out-String | Invoke-Expression\n"+
			"              or add that line to $PROFILE", "PROGRAM", program),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{error: fmt.Errorf("name one shell: bash, zsh, fish or powershell")}
			}
			return writeCompletion(c.App.Writer, c.App, c.Args().First())
		},
	}
}

func writeCompletion(w io.Writer, app *cli.App, shell string) error {
	name := app.Name
	// The scripts' function names are the program's, made a valid identifier in every shell.
	fn := "_" + strings.NewReplacer("-", "_", ".", "_").Replace(name) + "_complete"
	var script string
	switch shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return fmt.Errorf("writing the fish completion: %w", err)
		}
		script = s
	case "powershell", "pwsh":
		script = powershellCompletion
	default:
		return usageError{error: fmt.Errorf("no completion for the shell %q: use bash, zsh, fish or powershell", shell)}
	}
	_, err := io.WriteString(w, strings.NewReplacer("PROGRAM", name, "FUNCTION", fn).Replace(script))
	return err
}

// A word "--" alone would end the options for urfave/cli, which then completes nothing; "-"
// asks for the same flags.

const bashCompletion = `# bash completion for PROGRAM; load it with: source <(PROGRAM completion bash)
FUNCTION() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
  if [[ $cur == -* ]]; then
    [[ $cur == -- ]] && args+=(-) || args+=("$cur")
  fi
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "${args[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o default -F FUNCTION PROGRAM
`

const zshCompletion = `#compdef PROGRAM
# zsh completion for PROGRAM; load it with: source <(PROGRAM completion zsh)
FUNCTION() {
  local cur=${words[CURRENT]}
  local -a args opts
  args=("${(@)words[2,CURRENT-1]}")
  if [[ $cur == -* ]]; then
    [[ $cur == -- ]] && args+=(-) || args+=("$cur")
  fi
  opts=("${(@f)$(${words[1]} "${(@)args}" --generate-bash-completion 2>/dev/null)}")
  if [[ -n ${opts[1]} ]]; then
    compadd -a opts
  else
    _files
  fi
}
if [[ $funcstack[1] == FUNCTION ]]; then
  FUNCTION "$@"
else
  compdef FUNCTION PROGRAM
fi
`

const powershellCompletion = `# PowerShell completion for PROGRAM; load it with:
#   PROGRAM completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'PROGRAM', 'PROGRAM.exe' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.Extent.Text })
    if ($wordToComplete -ne '') { $words = @($words | Select-Object -SkipLast 1) }
    if ($wordToComplete -like '-*') {
        if ($wordToComplete -eq '--') { $words += '-' } else { $words += $wordToComplete }
    }
    $program = $commandAst.CommandElements[0].Extent.Text
    & $program @words --generate-bash-completion 2>$null |
        Where-Object { $_ -like "$wordToComplete*" } |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`
