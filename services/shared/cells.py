"""Values written into files a spreadsheet opens (reports, work lists, import reports): a text that
begins as a formula would (`=`, `+`, `-`, `@`, a tab or a carriage return) is written as text, so
that opening the file never runs what someone typed as a name (OWASP's CSV injection advice).

In CSV the text gets a leading single quote, which spreadsheets take as "this is text"; in XLSX
the cell is typed a string (openpyxl would make a formula of a leading `=`) and marked with Excel's
quote prefix, so that it stays text when edited too."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: object) -> object:
    """`value` as a CSV cell: a formula-like text behind a single quote, anything else as it is."""
    return "'" + value if looks_like_formula(value) else value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(value) for value in values]


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """`values` as the sheet's next row, each formula-like text a text cell."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
