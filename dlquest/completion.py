"""Shell completion for the `dlquest` command: bash, zsh and fish scripts made from the CLI's own parser.

The scripts complete commands and their options from what the parser declares (so they never go stale), and
exercise, lesson and guide ids by asking `dlquest completion --ids KIND` when the learner presses Tab: that
answers from the course of the workspace the shell is in, in a fraction of a second (no torch).
"""

from __future__ import annotations

import argparse
import shlex

SHELLS = ("bash", "zsh", "fish")
# What a positional argument names, by its metavar: the kind of id `--ids` lists for it.
ID_KINDS = {"EXERCISE": "exercises", "LESSON": "lessons", "GUIDE": "guides"}


def command_table(parser: argparse.ArgumentParser) -> dict[str, tuple[list[str], str | None]]:
    """Each command's words (its options, and the choices of a positional that has them), and the kind of id its
    positional argument takes (None: no id)."""
    table: dict[str, tuple[list[str], str | None]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                positionals = [a for a in sub._actions if not a.option_strings]
                options = sorted(o for a in sub._actions for o in a.option_strings if o.startswith("--"))
                options += [str(c) for a in positionals if a.choices for c in a.choices]  # `lang en`, `completion bash`
                kinds = [ID_KINDS.get(str(a.metavar)) for a in positionals]
                table[name] = (options, next((k for k in kinds if k), None))
    return table


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    table = command_table(parser)
    if shell == "bash":
        return _bash(table)
    if shell == "zsh":
        return "autoload -U +X bashcompinit && bashcompinit\n" + _bash(table)
    return _fish(table)


def _bash(table: dict[str, tuple[list[str], str | None]]) -> str:
    cases = []
    for name, (options, kind) in table.items():
        ids = f' $(dlquest completion --ids {kind} 2>/dev/null)' if kind else ""
        cases.append(f'        {shlex.quote(name)}) words="{" ".join(options)}{ids}" ;;')
    return "\n".join([
        "# dlquest completion for bash (and zsh through bashcompinit): eval \"$(dlquest completion bash)\"",
        "_dlquest() {",
        "    local current=${COMP_WORDS[COMP_CWORD]} command=${COMP_WORDS[1]} words",
        "    if [ \"$COMP_CWORD\" -eq 1 ]; then",
        f"        words=\"{' '.join(table)}\"",
        "    else",
        "        case \"$command\" in",
        *cases,
        "        *) words=\"\" ;;",
        "        esac",
        "    fi",
        "    COMPREPLY=($(compgen -W \"$words\" -- \"$current\"))",
        "}",
        "complete -F _dlquest dlquest",
        "",
    ])


def _fish(table: dict[str, tuple[list[str], str | None]]) -> str:
    lines = ["# dlquest completion for fish: dlquest completion fish | source", "complete -c dlquest -f"]
    commands = " ".join(table)
    for name in table:
        lines.append(f"complete -c dlquest -n 'not __fish_seen_subcommand_from {commands}' -a {shlex.quote(name)}")
    for name, (options, kind) in table.items():
        for word in options:
            flag = f"-l {word[2:]}" if word.startswith("--") else f"-a {shlex.quote(word)}"
            lines.append(f"complete -c dlquest -n '__fish_seen_subcommand_from {name}' {flag}")
        if kind:
            lines.append(f"complete -c dlquest -n '__fish_seen_subcommand_from {name}' "
                         f"-a '(dlquest completion --ids {kind} 2>/dev/null)'")
    return "\n".join(lines) + "\n"
