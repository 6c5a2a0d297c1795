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


def _printed(show, *args) -> str:
    out = io.StringIO()
    show(Console(file=out, width=400, force_terminal=False), *args)
    return " ".join(out.getvalue().split())


def test_a_cut_listing_says_so_and_gives_the_total() -> None:
    from services.cli.reads import listed
    assert listed(100, 348, 0, "children") == "children 1–100 of 348 (more with --offset 100, or a larger --limit)"
    assert listed(48, 348, 300, "children") == "children 301–348 of 348"
    assert listed(3, 3, 0, "children") == "3 children"


def test_matching_output_names_people_and_gives_the_ids_approval_needs() -> None:
    from services.cli import match_views
    result = {"region": "440105", "total_score": 90, "children": 3, "volunteers": 1, "seconds": 0.1,
              "solver": "scipy", "proposals": [{"child_id": "a3", "child_name": "小红", "volunteer_id": "m7",
                                                 "volunteer_name": "王芳", "mode": "one_to_one", "score": 90,
                                                 "reasons": []}],
              "unmatched": [], "set_aside": [{"child_id": "a2", "tier": None, "reasons": ["already cared for in pair P9"]}],
              "sent": {"proposed": ["P1"], "pairs": [{"pair_id": "P1", "child_id": "a3", "volunteer_id": "m7"}],
                       "refused": []}}
    out = _printed(match_views.batch, result)
    assert "proposal P1: 小红 (a3) with 王芳 (m7) — approve with: aixin match approve P1" in out
    assert "unmatched" not in out and "needs no new pair: a2: already cared for in pair P9" in out
    blocked = {"child_id": "a3", "child_name": "小红", "region": "440105", "blocked": ["already cared for in pair P1"],
               "candidates": [], "passed_over": {}}
    out = _printed(match_views.suggestions, blocked)
    assert "child 小红 (a3) cannot be paired now" in out and "once the child may be paired" in out
    out = _printed(match_views.approved, {"pair_id": "P1", "events": [{"event_type": "PairApproved"}]},
                   {"children": [{"child_id": "a3", "child_name": "小红"}], "volunteers": [{"volunteer_id": "m7"}]})
    assert out == "P1: PairApproved — 小红 (a3) with m7"
