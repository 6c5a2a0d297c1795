"""The goals of "a lean command path", each judged from the figures of one `aixin bench` run.

A goal is a dict: "goal" (what is asked), "figure" (the measured value, None where it was not
measured), "unit", "ratio" (to the baseline the goal names, where it names one), "met" (True,
False, or None where the run did not measure it) and "why" (what was missing, when met is None).
Judging is a pure function of the figures, so that the table and the JSON say the same.
"""

from __future__ import annotations

from tooling.bench.client import VISIBLE_PER_SECOND
from tooling.common import IN_FLIGHT

RAW_64, RAW_1_P50 = "raw_publish_per_s", "raw_publish_1_p50_ms"
# CPU per command, all the platform's processes together: over NATS and over HTTP.
CPU_BOUND_MS = {"nats": 1.0, "http": 2.0}
CPU_RUNS = (("RegisterChild", "register_nats_64", "nats"), ("FormPair", "form_pair_nats_64", "nats"),
            ("RegisterChild", "register_64", "http"), ("FormPair", "form_pair_64", "http"))
NOT_MEASURED = "not measured in this run"


def goals(f: dict) -> list[dict]:
    return [*_throughput(f), *_latency(f), *_cpu(f), *_peer(f), *_visible(f), *_rebuilds(f)]


def _throughput(f: dict) -> list[dict]:
    raw = f"raw js.publish at {IN_FLIGHT}"
    return [_ratio(f"RegisterChild over NATS, {IN_FLIGHT} in flight ≥ 0.5× {raw}", f, "register_nats_64_per_s",
                   RAW_64, 0.5, "/s"),
            _ratio(f"FormPair over NATS, {IN_FLIGHT} in flight ≥ 0.35× {raw}", f, "form_pair_nats_64_per_s",
                   RAW_64, 0.35, "/s"),
            _ratio(f"RegisterChild over HTTP, {IN_FLIGHT} in flight ≥ 0.3× {raw}", f, "register_64_per_s",
                   RAW_64, 0.3, "/s"),
            _ratio(f"FormPair over HTTP, {IN_FLIGHT} in flight ≥ 0.3× {raw}", f, "form_pair_64_per_s",
                   RAW_64, 0.3, "/s")]


def _latency(f: dict) -> list[dict]:
    raw = "a raw js.publish's p50 (1 in flight)"
    return [_ratio(f"RegisterChild over NATS, one at a time: p50 ≤ 2× {raw}", f, "register_nats_p50_ms",
                   RAW_1_P50, 2.0, "ms", at_most=True),
            _ratio(f"FormPair over NATS, one at a time: p50 ≤ 2× {raw}", f, "form_pair_nats_p50_ms",
                   RAW_1_P50, 2.0, "ms", at_most=True)]


def _cpu(f: dict) -> list[dict]:
    found, measured = [], f.get("cpu_ms_per_command", {})
    why = f.get("cpu_unmeasured") or NOT_MEASURED
    for command, key, via in CPU_RUNS:
        bound = CPU_BOUND_MS[via]
        run = measured.get(key)
        for part, label in (("everything", "all the platform's processes"),
                            ("command_path", "the command path (all but the log followers)")):
            text = f"CPU per {command} over {via.upper()}, {IN_FLIGHT} in flight, {label} ≤ {bound:g} ms"
            value = run[part] if run else None
            found.append(_goal(text, value, "ms", None, None if value is None else value <= bound, why))
    return found


def _peer(f: dict) -> list[dict]:
    why = f.get("peer_pg_skipped") or "run with --peer"
    peer = f"peer_pg_register_{IN_FLIGHT}_per_s"
    return [_ratio(f"RegisterChild over {via}, {IN_FLIGHT} in flight, ahead of pyeventsourcing on PostgreSQL "
                   f"at {IN_FLIGHT} (ratio ≥ 1)", f, key, peer, 1.0, "/s", why=why)
            for via, key in (("NATS", "register_nats_64_per_s"), ("HTTP", "register_64_per_s"))]


def _visible(f: dict) -> list[dict]:
    return [_below("ack → visible in stats during an import: p99 < 100 ms", f, "visible_import_p99_ms", 100.0,
                   "run with --rows above 0"),
            _below(f"ack → visible in stats at {VISIBLE_PER_SECOND:g} commands/s: p99 < 50 ms", f, "visible_p99_ms",
                   50.0, NOT_MEASURED)]


def _rebuilds(f: dict) -> list[dict]:
    read = f.get("raw_ordered_read_per_s")
    found = [_goal(f"rebuild {name} alone ≥ 0.5× the raw ordered read", rate, "ev/s",
                   rate / read if read else None, rate / read >= 0.5 if read else None, NOT_MEASURED)
             for name, rate in f.get("rebuild_per_s", {}).items()]
    found.append(_ratio("rebuild of all read models at once ≥ 2× pyeventsourcing's rebuild on PostgreSQL", f,
                        "rebuild_all_per_s", "peer_pg_rebuild_per_s", 2.0, "ev/s",
                        why=f.get("peer_pg_skipped") or "run with --peer"))
    found.append(_ratio("rebuild of all read models at once ≥ 2× pyeventsourcing's rebuild on SQLite", f,
                        "rebuild_all_per_s", "peer_rebuild_per_s", 2.0, "ev/s", why="run with --peer"))
    return found


def _ratio(text: str, f: dict, key: str, base_key: str, bound: float, unit: str, at_most: bool = False,
           why: str = NOT_MEASURED) -> dict:
    value, base = f.get(key), f.get(base_key)
    if value is None or not base:
        return _goal(text, value, unit, None, None, why)
    ratio = value / base
    return _goal(text, value, unit, ratio, ratio <= bound if at_most else ratio >= bound, why)


def _below(text: str, f: dict, key: str, bound: float, why: str) -> dict:
    value = f.get(key)
    return _goal(text, value, "ms", None, None if value is None else value < bound, why)


def _goal(text: str, value: float | None, unit: str, ratio: float | None, met: bool | None, why: str) -> dict:
    goal = {"goal": text, "figure": value, "unit": unit, "ratio": ratio, "met": met}
    if met is None:
        goal["why"] = why
    return goal


def mark(met: bool | None) -> str:
    return {True: "✓ met", False: "✗ not met", None: "– not measured"}[met]
