"""How `aixin match` shows its results: tables for people (`--json` gives the data as it came)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from services.cli.common import shown
from services.projections.pair_modes import MODE_FIGURES
from services.projections.volunteer_pools import POOLS


def reasons(items: list[dict]) -> str:
    return "; ".join(f"{r['points']:+d} {r['reason']}" for r in items if r["points"]) or "-"


def named(row: dict, kind: str = "child") -> str:
    """`王小红 (a3)` where the API gave the name (roles that see personal data), else the id."""
    name, key = row.get(f"{kind}_name"), row[f"{kind}_id"]
    return f"{shown(name)} ({key})" if name else key


def suggestions(console: Console, result: dict) -> None:
    child = named(result)
    if result["blocked"]:
        console.print(f"[yellow]child {child} cannot be paired now:[/yellow] " + "; ".join(result["blocked"]))
    title = (f"volunteers for {child} once the child may be paired ({result['region']})" if result["blocked"]
             else f"suggestions for {child} ({result['region']})")
    table = Table("volunteer", "mode", "score", "why", title=title)
    for c in result["candidates"]:
        table.add_row(named(c, "volunteer"), c["mode"], str(c["score"]), reasons(c["reasons"]))
    console.print(table)
    if result["passed_over"]:
        console.print("passed over: " + ", ".join(f"{n} {why}" for why, n in result["passed_over"].items()))


def batch(console: Console, result: dict) -> None:
    table = Table("child", "volunteer", "mode", "score", "why",
                  title=f"batch proposal for {result['region']}: total score {result['total_score']}")
    for p in result["proposals"]:
        table.add_row(named(p), named(p, "volunteer"), p["mode"], str(p["score"]), reasons(p["reasons"]))
    console.print(table)
    console.print(f"{len(result['proposals'])} of {result['children']} children matched with "
                  f"{result['volunteers']} volunteers in {result['seconds']} s ({result['solver']})")
    for u in result["unmatched"]:
        console.print(f"  unmatched {named(u)} ({u['tier'] or 'no tier'}): " + "; ".join(u["reasons"]))
    for u in result.get("set_aside", []):
        console.print(f"  needs no new pair: {named(u)}: " + "; ".join(u["reasons"]))
    if "sent" in result:
        sent(console, result)


def sent(console: Console, result: dict) -> None:
    """The proposals sent, with the pair ids that `aixin match approve` takes."""
    names = {p["child_id"]: p for p in result["proposals"]}
    console.print(f"proposed {len(result['sent']['proposed'])}, refused {len(result['sent']['refused'])}")
    for pair in result["sent"].get("pairs", []):
        proposal = names.get(pair["child_id"], pair)
        console.print(f"  proposal {pair['pair_id']}: {named(proposal)} with {named(proposal, 'volunteer')}"
                      f" — approve with: aixin match approve {pair['pair_id']}")
    for refusal in result["sent"]["refused"]:
        console.print(f"  refused {named(names.get(refusal['child_id'], refusal))}: {refusal['error']}")


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
        table.add_row(named(entry), entry["region"], entry["left_pair_id"], entry["reason"], entry["since"],
                      ", ".join(f"{named(c, 'volunteer')}: {c['score']}" for c in offers) or "-")
    console.print(table)


def modes(console: Console, result: dict) -> None:
    table = Table("mode", *(f.replace("_", " ") for f in MODE_FIGURES), title=f"pairs by mode in {result['region']}")
    for mode, figures in result["modes"].items():
        table.add_row(mode, *(str(figures[f]) for f in MODE_FIGURES))
    console.print(table)


def approved(console: Console, reply: dict, members: dict | None) -> None:
    """What an approval or rejection did, naming whom the pair links (when it could be read)."""
    line = f"{reply['pair_id']}: " + ", ".join(e["event_type"] for e in reply["events"])
    if members:
        children = ", ".join(named(c) for c in members["children"]) or "-"
        line += f" — {children} with {', '.join(named(v, 'volunteer') for v in members['volunteers']) or '-'}"
    console.print(line)
