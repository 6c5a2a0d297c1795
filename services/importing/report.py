"""The import report: one line per problem of a bad row, and one per person already on file, with
the row's original values, as CSV in UTF-8 with a BOM so that spreadsheet software opens it as
Unicode (without the BOM, Excel on Chinese Windows reads UTF-8 as GBK and shows garbage).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from services.importing.values import text
from services.shared.cells import csv_cell, csv_row

LONG_NUMBER = re.compile(r"[0-9]{16,}[0-9Xx]?")
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
        writer.writerow(csv_row([*HEADINGS, *headers]))
        for entry in sorted(entries, key=lambda e: (e.line, e.outcome, e.column)):
            values = [_cell(c) for c in entry.cells] + [""] * (len(headers) - len(entry.cells))
            writer.writerow([entry.line, *csv_row([entry.column, entry.outcome, entry.reason]), *values])
    return path


def _cell(value: object) -> str:
    shown = text(value)
    if LONG_NUMBER.fullmatch(shown):  # digits (and an ID number's X) alone: nothing else can be inside
        return f'="{shown}"'  # else a spreadsheet turns an identity number into 4.40105E+17
    return csv_cell(shown)  # a value that begins like a formula is text, never run
