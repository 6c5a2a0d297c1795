"""Reading a list as office software exports it: CSV in UTF-8 (with or without BOM), GBK or
GB18030 (or UTF-16 "Unicode text"), or an XLSX workbook.

Rows are numbered as a spreadsheet shows them (row 1 is the first row of the sheet or file), so the
report's line numbers are the ones the operator sees when opening the file.

A list is bounded before it is read and as it is read: its size on disk, a workbook's uncompressed
size (read from the archive's directory, which the zip reader holds each member to), and its rows,
columns and cell lengths. A list over a cap is refused in one line naming the cap — never a
MemoryError, nor minutes of work: a 1 MB workbook can hold a 1 GiB cell, and 2 MB two million rows.
Civil-affairs lists are per county; a province's is split by county.
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
MAX_FILE_BYTES = 100 * 1024 ** 2
MAX_UNCOMPRESSED_BYTES = 256 * 1024 ** 2  # a workbook's members, inflated
MAX_ROWS = 200_000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 2_000


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
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnusableFile(f"{path} is {size / 1024 ** 2:.0f} MB, over the cap of {MAX_FILE_BYTES // 1024 ** 2} MB "
                               f"for one list; split it (by county, say)")
        data = path.read_bytes()
    except OSError as error:
        raise UnusableFile(f"cannot read {path}: {error.strerror or error}") from None
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(XLSX_MAGIC):
        return _xlsx(path, data, digest)
    if data.startswith(XLS_MAGIC):
        raise UnusableFile(f"{path} is an old Excel .xls workbook; save it as .xlsx or as CSV first")
    text, encoding = _decode(path, data)
    lines = sum(1 for line in text.splitlines() if line.strip(" ,;\t"))
    if lines > MAX_ROWS + 1:  # refused before any row is sent, not 200,000 rows into the list
        raise UnusableFile(_too_many_rows(path, lines))
    return Table(path, f"CSV, {encoding}", digest, text.count("\n") + 1, _bounded(path, _csv_rows(path, text)))


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

    _check_inflated_size(path, data)
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
    rows = max(sheet.max_row or 0, _rows_in_sheet(data, sheet))  # its dimension may say too few
    if rows > MAX_ROWS + 1:
        workbook.close()
        raise UnusableFile(_too_many_rows(path, rows))
    return Table(path, f"XLSX, sheet {sheet.title!r}", digest, sheet.max_row or 0,
                 _bounded(path, _sheet_rows(path, workbook, sheet)))


def _check_inflated_size(path: Path, data: bytes) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as error:
        raise UnusableFile(f"{path} looks like a zip archive but is not a readable XLSX workbook ({error})") from None
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_UNCOMPRESSED_BYTES:
        largest = max(members, key=lambda member: member.file_size)
        raise UnusableFile(f"{path} inflates to {inflated / 1024 ** 2:.0f} MB ({largest.filename}: "
                           f"{largest.file_size / 1024 ** 2:.0f} MB), over the cap of "
                           f"{MAX_UNCOMPRESSED_BYTES // 1024 ** 2} MB for one list")


def _rows_in_sheet(data: bytes, sheet) -> int:
    """The rows a sheet's XML holds, counted in one streaming pass over its bytes (within the cap
    on inflated size), so that a list of two million rows is refused before the first is sent."""
    count, tail = 0, b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet._worksheet_path) as xml:
        while chunk := xml.read(1 << 20):
            block = tail + chunk
            count += block.count(b"<row ") + block.count(b"<row>")
            tail = block[-5:]
            count -= tail.count(b"<row ") + tail.count(b"<row>")  # counted again with the next chunk
    return count + tail.count(b"<row ") + tail.count(b"<row>")


def _bounded(path: Path, rows: Rows) -> Rows:
    """The rows, each checked against the caps on rows, columns and cell length as it is read."""
    for number, cells in rows:
        if number > MAX_ROWS + 1:  # the header's row besides
            raise UnusableFile(_too_many_rows(path, 0))
        if len(cells) > MAX_COLUMNS:
            if any(cell not in (None, "") for cell in cells[MAX_COLUMNS:]):
                raise UnusableFile(f"{path}: row {number} has values beyond column {MAX_COLUMNS}, the cap "
                                   f"on columns of a list")
            cells = cells[:MAX_COLUMNS]
        for column, cell in enumerate(cells, 1):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise UnusableFile(f"{path}: row {number}, column {column} holds {len(cell):,} characters, "
                                   f"over the cap of {MAX_CELL_CHARS:,} for one cell")
        yield number, cells


def _too_many_rows(path: Path, rows: int) -> str:
    return (f"{path} has over {MAX_ROWS:,} rows{f' ({rows:,})' if rows > MAX_ROWS + 1 else ''}, the cap for one "
            f"list; split it (by county, say)")


def _sheet_rows(path: Path, workbook, sheet) -> Rows:
    number = 0
    try:
        # At most one column past the cap: a row of 16,384 cells is not made to be refused. (Within
        # it, rows come as wide as the sheet says it is, as they always did.)
        wide = not sheet.max_column or sheet.max_column > MAX_COLUMNS + 1
        for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1 if wide else None), 1):
            yield number, list(cells)
    except BROKEN_WORKBOOK as error:  # read as it goes: the damage shows where it is
        raise UnusableFile(f"{path}: row {number + 1} of sheet {sheet.title!r} cannot be read, the workbook "
                           f"is damaged ({type(error).__name__}: {error})") from None
    finally:
        workbook.close()
