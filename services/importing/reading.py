"""Reading a list as office software exports it: CSV in UTF-8 (with or without BOM), GBK or
GB18030 (or UTF-16 "Unicode text"), or an XLSX workbook.

Rows are numbered as a spreadsheet shows them (row 1 is the first row of the sheet or file), so the
report's line numbers are the ones the operator sees when opening the file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# What a damaged workbook raises as it is read: XML that does not parse (ElementTree's ParseError and
# lxml's XMLSyntaxError are SyntaxErrors), a member that does not inflate or fails its CRC, a part
# that is missing, a value that does not convert.
BROKEN_WORKBOOK = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, OSError)
Rows = Iterator[tuple[int, list[object]]]


class UnusableFile(Exception):
    """The file cannot be read as a list at all (missing, not CSV or XLSX, no header)."""


@dataclass
class Table:
    path: Path
    description: str  # "CSV, UTF-8 with BOM", "XLSX, sheet 'Sheet1'", …
    digest: str  # sha256 of the file's bytes: names this file's rows in command ids
    estimated_rows: int
    rows: Rows


def open_table(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnusableFile(f"cannot read {path}: {error.strerror or error}") from None
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(XLSX_MAGIC):
        return _xlsx(path, data, digest)
    if data.startswith(XLS_MAGIC):
        raise UnusableFile(f"{path} is an old Excel .xls workbook; save it as .xlsx or as CSV first")
    text, encoding = _decode(path, data)
    return Table(path, f"CSV, {encoding}", digest, text.count("\n") + 1, _csv_rows(path, text))


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise UnusableFile(f"{path} starts as UTF-16 text but is not (undecodable bytes at offset "
                               f"{error.start}), nor is it an XLSX workbook") from None
    if b"\x00" in data:
        raise UnusableFile(f"{path} is neither a CSV text file nor an XLSX workbook (it holds binary data)")
    try:
        encoding = "UTF-8 with BOM" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
        return data.decode("utf-8-sig"), encoding
    except UnicodeDecodeError:
        pass
    try:  # GB18030 is a superset of GBK (and of GB2312): one decoder reads all three
        return data.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError as error:
        raise UnusableFile(f"{path} is not CSV in UTF-8, GBK or GB18030 (undecodable bytes at "
                           f"offset {error.start}) nor an XLSX workbook") from None


def _csv_rows(path: Path, text: str) -> Rows:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, 1):
            yield number, list(cells)
    except csv.Error as error:  # a field over the csv module's limit (128 KiB): no list has one
        raise UnusableFile(f"{path}: line {reader.line_num} cannot be read as CSV ({error})") from None


def _xlsx(path: Path, data: bytes, digest: str) -> Table:
    from openpyxl import load_workbook  # only imported for workbooks
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # From the bytes, not the path: openpyxl judges a path by its extension, and a workbook
        # renamed .xls or .csv is still the workbook its content says it is.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (*BROKEN_WORKBOOK, InvalidFileException, AttributeError, IndexError) as error:  # the last two:
        # openpyxl meeting parts it does not expect (a workbook of chart sheets only, in read-only mode)
        raise UnusableFile(f"{path} looks like a zip archive but is not a readable XLSX workbook "
                           f"({type(error).__name__}: {error})") from None
    if not workbook.worksheets:
        raise UnusableFile(f"{path} is an XLSX workbook without a worksheet")
    sheet = workbook.active if workbook.active in workbook.worksheets else workbook.worksheets[0]
    return Table(path, f"XLSX, sheet {sheet.title!r}", digest, sheet.max_row or 0,
                 _sheet_rows(path, workbook, sheet))


def _sheet_rows(path: Path, workbook, sheet) -> Rows:
    number = 0
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(cells)
    except BROKEN_WORKBOOK as error:  # read as it goes: the damage shows where it is
        raise UnusableFile(f"{path}: row {number + 1} of sheet {sheet.title!r} cannot be read, the workbook "
                           f"is damaged ({type(error).__name__}: {error})") from None
    finally:
        workbook.close()
