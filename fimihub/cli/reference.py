"""Writes the command-line reference (``docs/cli.md``) from the commands' own ``--help``.

Run ``python -m fimihub.cli.reference > docs/cli.md`` after changing a command; ``tests/test_docs.py`` fails
while the file and the commands disagree.
"""

from __future__ import annotations

import click

__all__ = ["reference"]


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], [*path, name]))
    return found


def reference() -> str:
    """The Markdown reference of every ``fimihub`` command."""
    from fimihub.cli import cli

    parts = [
        "# Command-line reference\n",
        "Generated from each command's `--help` by `python -m fimihub.cli.reference`; do not edit by hand.\n",
    ]
    for path, command in _walk(cli, ["fimihub"]):
        with click.Context(
            command,
            info_name=" ".join(path),
            terminal_width=100,
            max_content_width=100,
            help_option_names=["-h", "--help"],
        ) as ctx:
            text = command.get_help(ctx)
        level = "#" * min(len(path) + 1, 4)
        parts.append(f"{level} `{' '.join(path)}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover
    print(reference(), end="")
