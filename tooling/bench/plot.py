"""Cost against size: the figures of `aixin bench --national` runs at several sizes (their JSON
files) drawn as one PNG (matplotlib, of the `bench` extra): rebuild time and rate by database and
number of processes, the rebuild processes' peak memory against the 300 MB goal, the append rate,
and the stats reads' p99 at every level."""

from __future__ import annotations

import json
from pathlib import Path

GOAL_MB = 300


def runs(files: list[Path]) -> list[dict]:
    """The runs that appended their log, smallest first."""
    found = [json.loads(f.read_text()) for f in files]
    return sorted((r for r in found if "append" in r), key=lambda r: r["append"]["events"])


def plot(files: list[Path], png: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display: a file
    import matplotlib.pyplot as plt

    measured = runs(files)
    stopped = [r["appending"] for r in map(lambda f: json.loads(f.read_text()), files)
               if "append" not in r and "appending" in r]  # a run stopped while appending: how far it came
    fig, ((seconds, rate), (memory, reads)) = plt.subplots(2, 2, figsize=(12, 8.5))
    for dialect, style in (("sqlite", "-"), ("postgresql", "--")):
        for processes, marker in ((1, "o"), (2, "s"), (4, "^")):
            points = [(r["append"]["events"], b) for r in measured for b in r.get(dialect, {}).get("rebuilds", [])
                      if b["processes"] == processes]
            if not points:
                continue
            sizes = [n for n, _ in points]
            label = f"{dialect}, {processes} process{'es' if processes > 1 else ''}"
            seconds.plot(sizes, [b["seconds"] for _, b in points], style, marker=marker, label=label)
            rate.plot(sizes, [b["events_per_s"] for _, b in points], style, marker=marker, label=f"rebuild, {label}")
            memory.plot(sizes, [b["peak_rss_mb"] for _, b in points], style, marker=marker, label=label)
        with_reads = [r for r in measured if "stats_ms" in r.get(dialect, {})]
        for level in ("national", "province", "district", "community"):
            if with_reads:
                reads.plot([r["append"]["events"] for r in with_reads],
                           [r[dialect]["stats_ms"]["p99"][level] for r in with_reads], style, marker="o",
                           label=f"{dialect}, {level}")
    rate.plot([r["append"]["events"] for r in measured], [r["append"]["events_per_s"] for r in measured],
              ":", marker="x", color="black", label="append (fsync on every append)")
    if stopped:
        rate.plot([a["events"] for a in stopped], [a["events_per_s"] for a in stopped], "x", color="grey",
                  label="append, a run stopped there")
    memory.axhline(GOAL_MB, color="red", linewidth=0.8, label=f"goal: {GOAL_MB} MB")
    for axis, title, unit in ((seconds, "Rebuild of every read model", "seconds"),
                              (rate, "Events per second", "events/s"),
                              (memory, "Peak RSS of a rebuild process", "MB"),
                              (reads, "Stats reads, p99 per level", "ms")):
        axis.set_title(title)
        axis.set_xlabel("events in the log")
        axis.set_ylabel(unit)
        axis.set_xscale("log")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7)
    seconds.set_yscale("log")
    cores = measured[-1]["cores"] if measured else "?"
    fig.suptitle(f"aixin bench --national: cost against size ({cores} cores, shared: load averages in the JSON)")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=90)
    plt.close(fig)
    return png
