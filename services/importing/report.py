"""The import report: one line per problem of a bad row, and one per person already on file, with
the row's original values, as CSV in UTF-8 with a BOM so that spreadsheet software opens it as
Unicode (without the BOM, Excel on Chinese Windows reads UTF-8 as GBK and shows garbage).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from services.importing.values import text

HEADINGS = ["行号/line", "列/column", "结果/outcome", "原因/reason"]
BAD = "错误/error"
ALREADY = "已登记/already registered"


@dataclass(frozen=True)
class Entry:
    line: int
    column: str
    outcome: str  # BAD or ALREADY
    reason: str
    cells: tuple[object, ...]


def default_path(source: Path) -> Path:
    """Beside the list, named after its whole name: bad.csv and bad.xlsx have reports of their own."""
    return source.with_name(f"{source.name}.import-report.csv")


def write_report(path: Path, headers: tuple[str, ...], entries: list[Entry]) -> Path:
    """Entries sorted by line; original values under the file's own headings."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*HEADINGS, *headers])
        for entry in sorted(entries, key=lambda e: (e.line, e.outcome, e.column)):
            values = [_cell(c) for c in entry.cells] + [""] * (len(headers) - len(entry.cells))
            writer.writerow([entry.line, entry.column, entry.outcome, entry.reason, *values])
    return path


def _cell(value: object) -> str:
    shown = text(value)
    if len(shown) > 15 and shown[:17].isdigit():
        return f'="{shown}"'  # else a spreadsheet turns an identity number into 4.40105E+17
    # A formula-looking value is written as text, so opening the report never runs it.
    return "'" + shown if shown[:1] in ("=", "+", "-", "@") else shown
