"""How `aixin match` shows its results: tables for people (`--json` gives the data as it came)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from services.projections.pair_modes import MODE_FIGURES
from services.projections.volunteer_pools import POOLS


def reasons(items: list[dict]) -> str:
    return "; ".join(f"{r['points']:+d} {r['reason']}" for r in items if r["points"]) or "-"


def suggestions(console: Console, result: dict) -> None:
    if result["blocked"]:
        console.print(f"[yellow]child {result['child_id']} cannot be paired now:[/yellow] "
                      + "; ".join(result["blocked"]))
    table = Table("volunteer", "mode", "score", "why",
                  title=f"suggestions for {result['child_id']} ({result['region']})")
    for c in result["candidates"]:
        table.add_row(c["volunteer_id"], c["mode"], str(c["score"]), reasons(c["reasons"]))
    console.print(table)
    if result["passed_over"]:
        console.print("passed over: " + ", ".join(f"{n} {why}" for why, n in result["passed_over"].items()))


def batch(console: Console, result: dict) -> None:
    table = Table("child", "volunteer", "mode", "score", "why",
                  title=f"batch proposal for {result['region']}: total score {result['total_score']}")
    for p in result["proposals"]:
        table.add_row(p["child_id"], p["volunteer_id"], p["mode"], str(p["score"]), reasons(p["reasons"]))
    console.print(table)
    console.print(f"{len(result['proposals'])} of {result['children']} children matched with "
                  f"{result['volunteers']} volunteers in {result['seconds']} s ({result['solver']})")
    for u in result["unmatched"]:
        console.print(f"  unmatched {u['child_id']} ({u['tier'] or 'no tier'}): " + "; ".join(u["reasons"]))
    if "sent" in result:
        console.print(f"proposed {len(result['sent']['proposed'])}, refused {len(result['sent']['refused'])}")
        for refusal in result["sent"]["refused"]:
            console.print(f"  {refusal['child_id']}: {refusal['error']}")


def pools(console: Console, result: dict) -> None:
    table = Table("region", *POOLS, "free places", title=f"pools of {result['name']} ({result['region']})")
    table.add_row("[bold]total", *(f"[bold]{result[p]}" for p in (*POOLS, "free_places")))
    for part in (*result["districts"], *result["streets"]):
        table.add_row(f"{part['name']} {part['region'].rstrip('0')}",
                      *(str(part[p]) for p in (*POOLS, "free_places")))
    console.print(table)


def rematch(console: Console, result: dict) -> None:
    table = Table("child", "region", "left pair", "reason", "since", "suggested")
    for entry in result["children"]:
        offers = entry["suggestions"]["candidates"] if entry["suggestions"] else []
        table.add_row(entry["child_id"], entry["region"], entry["left_pair_id"], entry["reason"], entry["since"],
                      ", ".join(f"{c['volunteer_id']} ({c['score']})" for c in offers) or "-")
    console.print(table)


def modes(console: Console, result: dict) -> None:
    table = Table("mode", *(f.replace("_", " ") for f in MODE_FIGURES), title=f"pairs by mode in {result['region']}")
    for mode, figures in result["modes"].items():
        table.add_row(mode, *(str(figures[f]) for f in MODE_FIGURES))
    console.print(table)
