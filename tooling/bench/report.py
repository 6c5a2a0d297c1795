"""The figures of `aixin bench`: the ratios worked out from them, and the tables printed (the
measurements, the goals marked met or not, and the CPU per command by process)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tooling.bench.client import VISIBLE_PER_SECOND
from tooling.bench.goals import mark
from tooling.common import IN_FLIGHT

COMMAND_ROWS = (("RegisterChild over HTTP, 1 at a time", "register"),
                (f"RegisterChild over HTTP, {IN_FLIGHT} in flight", "register_64"),
                ("RegisterChild over NATS, 1 at a time", "register_nats"),
                (f"RegisterChild over NATS, {IN_FLIGHT} in flight", "register_nats_64"),
                ("FormPair over HTTP, 1 at a time", "form_pair"), (f"FormPair over HTTP, {IN_FLIGHT} in flight", "form_pair_64"),
                ("FormPair over NATS, 1 at a time", "form_pair_nats"),
                (f"FormPair over NATS, {IN_FLIGHT} in flight", "form_pair_nats_64"))
PG_64 = f"peer_pg_register_{IN_FLIGHT}_per_s"
CPU_CAPTION = ("CPU ms per command: utime + stime from /proc/<pid>/stat, read by the client just before and just "
               "after its timed commands. The bench's client processes (tooling.bench.client, spawned) are not "
               "the platform's and are not counted. The command path is every process but the log followers, "
               "whose work (the read models) comes after the acknowledgement: they are read from the run's start "
               "until they have applied its last event.")


def ratios(f: dict) -> dict:
    """The ratios the goals and the peers are read by, from the figures measured."""
    found: dict = {}
    if f.get("raw_ordered_read_per_s"):
        found["rebuild_vs_raw_ordered_read"] = {name: rate / f["raw_ordered_read_per_s"]
                                                for name, rate in f.get("rebuild_per_s", {}).items()}
        found["rebuild_all_vs_raw_ordered_read"] = f["rebuild_all_per_s"] / f["raw_ordered_read_per_s"]
    for _, key in COMMAND_ROWS:
        if key.endswith("_64") and f.get(f"{key}_per_s"):
            found[f"{key}_vs_raw_publish_{IN_FLIGHT}"] = f[f"{key}_per_s"] / f["raw_publish_per_s"]
        elif f.get(f"{key}_p50_ms") and f.get("raw_publish_1_p50_ms"):
            found[f"{key}_p50_vs_raw_publish_1_p50"] = f[f"{key}_p50_ms"] / f["raw_publish_1_p50_ms"]
    for key, peer, at in ((f"register_nats_{IN_FLIGHT}", PG_64, IN_FLIGHT), (f"register_{IN_FLIGHT}", PG_64, IN_FLIGHT),
                          ("register_nats", "peer_pg_register_per_s", 1), ("register", "peer_pg_register_per_s", 1)):
        if f.get(peer) and f.get(f"{key}_per_s"):
            found[f"{key}_vs_pg_peer_{at}"] = f[f"{key}_per_s"] / f[peer]
    for peer, name in (("peer_pg_rebuild_per_s", "pg_peer"), ("peer_rebuild_per_s", "sqlite_peer")):
        if f.get(peer):
            found[f"rebuild_all_vs_{name}"] = f["rebuild_all_per_s"] / f[peer]
    found["import_vs_raw_publish"] = f.get("import_rows_per_s", 0) / f["raw_publish_per_s"]
    return found


def report(f: dict, console: Console) -> None:
    console.print(_measurements(f))
    console.print(f"log: {f['log_events']} events, {f['log_bytes_per_event']} bytes stored per event; "
                  f"refused commands: {f['refused']}; rebuilt tables equal to the live ones: "
                  f"{f['rebuild_all_equal']}", highlight=False)
    for key in ("peer_pg_notes", "peer_notes"):
        if key in f:
            console.print(f"{'PostgreSQL' if 'pg' in key else 'SQLite'} peer: {f[key]}", highlight=False)
    if "peer_pg_skipped" in f:
        console.print(f"PostgreSQL peer skipped: {f['peer_pg_skipped']}", highlight=False)
    if f.get("cpu_ms_per_command"):
        console.print(_cpu(f["cpu_ms_per_command"]))
    elif "cpu_unmeasured" in f:
        console.print(f"CPU per command not measured: {f['cpu_unmeasured']}", highlight=False)
    console.print(_goals(f["goals"]))
    for name, value in f["ratios"].items():  # plain lines too, for logs and notes that strip tables
        if isinstance(value, dict):
            for sub, ratio in value.items():
                console.print(f"{name} {sub}: {ratio:.3f}", highlight=False)
        else:
            console.print(f"{name}: {value:.3f}", highlight=False)
    met = sum(g["met"] is True for g in f["goals"])
    console.print(f"goals met: {met} of {len(f['goals'])} "
                  f"({sum(g['met'] is None for g in f['goals'])} not measured)", highlight=False)


def _measurements(f: dict) -> Table:
    table = Table("measurement", "figure", "p50 of one / note", title="aixin bench")

    def rate(label: str, key: str, note: str = "") -> None:
        if key in f:
            table.add_row(label, f"{f[key]:,.0f}/s", note)

    rate(f"raw js.publish, {IN_FLIGHT} in flight", "raw_publish_per_s")
    rate("raw js.publish, 1 in flight", "raw_publish_1_per_s", _ms(f.get("raw_publish_1_p50_ms")))
    rate("raw ordered consumer read of the log", "raw_ordered_read_per_s")
    for label, key in COMMAND_ROWS:
        rate(label, f"{key}_per_s", _ms(f.get(f"{key}_p50_ms")))
    rate("import, rows (1 % bad)", "import_rows_per_s")
    for name, value in f["rebuild_per_s"].items():
        table.add_row(f"rebuild {name}", f"{value:,.0f} ev/s", "")
    table.add_row("rebuild all read models, one pass", f"{f['rebuild_all_per_s']:,.0f} ev/s", "")
    for key, label in (("visible", f"at {VISIBLE_PER_SECOND:g} commands/s"), ("visible_import", "during an import")):
        if f"{key}_p50_ms" in f:
            table.add_row(f"ack → visible in stats, {label}",
                          f"p50 {f[f'{key}_p50_ms']:.1f} ms, p99 {f[f'{key}_p99_ms']:.1f} ms", "")
    for level, found in f["stats_query_ms"].items():
        table.add_row(f"GET /regions/{{code}}/stats, {level}", f"p50 {found['p50']:.2f} ms, p99 {found['p99']:.2f} ms",
                      "goal p99 < 5 ms at 1 M children: --scale")
    r = f.get("ratios", {})
    rate("peer: pyeventsourcing on PostgreSQL, registrations 1 at a time", "peer_pg_register_per_s",
         _versus(r, "register_nats_vs_pg_peer_1", "register_vs_pg_peer_1"))
    rate(f"peer: pyeventsourcing on PostgreSQL, registrations from {IN_FLIGHT} threads", PG_64,
         _versus(r, f"register_nats_{IN_FLIGHT}_vs_pg_peer_{IN_FLIGHT}", f"register_{IN_FLIGHT}_vs_pg_peer_{IN_FLIGHT}"))
    rate("peer: pyeventsourcing on PostgreSQL, rebuild of six-level counts", "peer_pg_rebuild_per_s")
    rate("peer (reference): pyeventsourcing on SQLite, registrations 1 at a time", "peer_register_per_s")
    rate("peer (reference): pyeventsourcing on SQLite, rebuild of six-level counts", "peer_rebuild_per_s")
    return table


def _cpu(runs: dict) -> Table:
    labels = {key: _short(label) for label, key in COMMAND_ROWS}
    table = Table("process", *(labels.get(key, key) for key in runs), title="CPU ms per command, by process",
                  caption=CPU_CAPTION)
    names = list(dict.fromkeys(name for run in runs.values() for name in run["processes"]))
    for name in names:
        on_path = all(name in run["command_path_processes"] for run in runs.values() if name in run["processes"])
        table.add_row(name if on_path else f"{name} (after the ack)",
                      *(_number(run["processes"].get(name)) for run in runs.values()))
    table.add_row("total, command path", *(_number(run["command_path"]) for run in runs.values()), style="bold")
    table.add_row("total, everything", *(_number(run["everything"]) for run in runs.values()), style="bold")
    return table


def _goals(goals: list[dict]) -> Table:
    table = Table("goal", "figure", "ratio", "", title="goals: a lean command path")
    for goal in goals:
        figure = goal["figure"]
        shown = "—" if figure is None else f"{figure:,.2f} ms" if goal["unit"] == "ms" else f"{figure:,.0f}{'' if goal['unit'].startswith('/') else ' '}{goal['unit']}"
        ratio = "" if goal["ratio"] is None else f"{goal['ratio']:.2f}×"
        table.add_row(goal["goal"], shown, ratio, mark(goal["met"]) + (f" ({goal['why']})" if "why" in goal else ""))
    return table


def _short(label: str) -> str:
    return (label.replace("RegisterChild", "Register").replace(" over ", " ").replace(", 1 at a time", " 1")
            .replace(f", {IN_FLIGHT} in flight", f" {IN_FLIGHT}"))


def _ms(value: float | None) -> str:
    return "" if value is None else f"p50 {value:.2f} ms"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _versus(r: dict, nats: str, http: str) -> str:
    if nats not in r:
        return ""
    return f"aixin NATS {r[nats]:.2f}×, HTTP {r[http]:.2f}× this"
