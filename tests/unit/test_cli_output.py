"""What the CLI prints of stored strings: never a control character raw, never markup."""

from __future__ import annotations

import io

from rich.console import Console

from services.cli.common import shown


def test_an_escape_sequence_in_a_name_is_shown_not_obeyed() -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, color_system="truecolor", highlight=False)
    terminal.print(shown("小\x1b[2J红\x07\n"))
    printed = out.getvalue()
    assert "\x1b[2J" not in printed and "\x07" not in printed
    assert "小\\x1b[2J红\\x07\\x0a" in printed


def test_markup_in_a_name_is_printed_as_written() -> None:
    out = io.StringIO()
    Console(file=out, force_terminal=False).print(shown("[bold red]王芳[/]"))
    assert out.getvalue().strip() == "[bold red]王芳[/]"
