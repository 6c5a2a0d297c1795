"""The figures of `aixin bench`: the goals' ratios worked out from them, and the table printed."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tooling.bench.client import VISIBLE_PER_SECOND
from tooling.common import IN_FLIGHT


def ratios(f: dict) -> dict:
    """The goals' ratios, from the figures measured."""
    found: dict = {}
    if f.get("raw_ordered_read_per_s"):
        found["rebuild_vs_raw_ordered_read"] = {name: rate / f["raw_ordered_read_per_s"]
                                                for name, rate in f.get("rebuild_per_s", {}).items()}
        found["rebuild_all_vs_raw_ordered_read"] = f["rebuild_all_per_s"] / f["raw_ordered_read_per_s"]
    if f.get("peer_rebuild_per_s"):
        found["rebuild_all_vs_peer"] = f["rebuild_all_per_s"] / f["peer_rebuild_per_s"]
    if f.get("peer_register_per_s"):
        for key in ("register_per_s", "register_64_per_s", "register_nats_per_s", "register_nats_64_per_s",
                    "form_pair_per_s", "form_pair_64_per_s", "form_pair_nats_64_per_s"):
            found[f"{key.removesuffix('_per_s')}_vs_peer"] = f[key] / f["peer_register_per_s"]
    found["import_vs_raw_publish"] = f.get("import_rows_per_s", 0) / f["raw_publish_per_s"]
    return found


def report(f: dict, console: Console) -> None:
    table = Table("measurement", "figure", "goal", title="aixin bench")
    peer = f.get("peer_register_per_s")

    def rate(label: str, key: str, goal: str = "") -> None:
        if key in f:
            table.add_row(label, f"{f[key]:,.0f}/s", goal)

    rate("raw js.publish, 64 in flight", "raw_publish_per_s")
    rate("raw js.publish, 1 in flight", "raw_publish_1_per_s")
    rate("raw ordered consumer read of the log", "raw_ordered_read_per_s")
    want = f"≥ {2 * peer:,.0f}/s (2× peer)" if peer else "≥ 2× peer"
    rate("RegisterChild over HTTP, 1 at a time", "register_per_s", want)
    rate(f"RegisterChild over HTTP, {IN_FLIGHT} in flight", "register_64_per_s", want)
    rate("RegisterChild over NATS, 1 at a time", "register_nats_per_s", want)
    rate(f"RegisterChild over NATS, {IN_FLIGHT} in flight", "register_nats_64_per_s", want)
    rate("FormPair over HTTP, 1 at a time", "form_pair_per_s", want)
    rate(f"FormPair over HTTP, {IN_FLIGHT} in flight", "form_pair_64_per_s", want)
    rate(f"FormPair over NATS, {IN_FLIGHT} in flight", "form_pair_nats_64_per_s", want)
    rate("import, rows (1 % bad)", "import_rows_per_s")
    half = f"≥ {0.5 * f['raw_ordered_read_per_s']:,.0f}/s (0.5× raw read)"
    for name, value in f["rebuild_per_s"].items():
        table.add_row(f"rebuild {name}", f"{value:,.0f} ev/s", half)
    table.add_row("rebuild all read models, one pass", f"{f['rebuild_all_per_s']:,.0f} ev/s",
                  f"≥ {2 * f['peer_rebuild_per_s']:,.0f}/s (2× peer)" if "peer_rebuild_per_s" in f else "≥ 2× peer")
    for key, label in (("visible", f"at {VISIBLE_PER_SECOND:g} commands/s"), ("visible_import", "during an import")):
        if f"{key}_p50_ms" in f:
            table.add_row(f"ack → visible in stats, {label}",
                          f"p50 {f[f'{key}_p50_ms']:.1f} ms, p99 {f[f'{key}_p99_ms']:.1f} ms",
                          "p99 < 50 ms" if key == "visible" else "")
    for level, found in f["stats_query_ms"].items():
        table.add_row(f"GET /regions/{{code}}/stats, {level}", f"p50 {found['p50']:.2f} ms, p99 {found['p99']:.2f} ms",
                      "p99 < 5 ms (at 1 M children: --scale)")
    rate("peer: pyeventsourcing registrations, 1 at a time", "peer_register_per_s")
    rate("peer: pyeventsourcing rebuild of six-level counts", "peer_rebuild_per_s")
    console.print(table)
    console.print(f"log: {f['log_events']} events, {f['log_bytes_per_event']} bytes stored per event; "
                  f"refused commands: {f['refused']}; rebuilt tables equal to the live ones: "
                  f"{f['rebuild_all_equal']}", highlight=False)
    for name, value in f["ratios"].items():  # plain lines too, for logs and notes that strip tables
        if isinstance(value, dict):
            for sub, ratio in value.items():
                console.print(f"{name} {sub}: {ratio:.3f}", highlight=False)
        else:
            console.print(f"{name}: {value:.3f}", highlight=False)
