"""Lists are bounded before they are read: a workbook that inflates past the cap (one 1 GiB cell
compresses to 1 MB), two million rows in a small file, columns past the cap, an overlong cell —
each refused in one line naming the cap, before any row is handed on, in a bounded time and
memory; `aixin import` then exits 2."""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from services.cli.app import app
from services.importing import reading
from services.importing.reading import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, UnusableFile, open_table

HEADER = "姓名,性别,出生日期,类别,区划代码\n"


def workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def bomb(path: Path, inflated_mb: int) -> Path:
    """A workbook whose shared strings inflate to `inflated_mb` MB: one enormous cell."""
    source = workbook(path.with_suffix(".src.xlsx"), [["姓名"], ["x"]])
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            if item.filename != "xl/sharedStrings.xml":
                out.writestr(item, original.read(item))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                          b'2006/main" count="2" uniqueCount="2"><si><t>\xe5\xa7\x93\xe5\x90\x8d</t></si><si><t>')
            for _ in range(inflated_mb):
                strings.write(b"a" * (1 << 20))
            strings.write(b"</t></si></sst>")
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_workbook_that_inflates_past_the_cap_is_refused_unread(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx", reading.MAX_UNCOMPRESSED_BYTES // 1024 ** 2 + 20)
    assert path.stat().st_size < 2 * 1024 ** 2
    before = peak_rss_mb()
    with pytest.raises(UnusableFile, match="inflates to .* over the cap of 256 MB"):
        open_table(path)
    print(f"\nbomb of {path.stat().st_size / 1024:.0f} KB refused; peak RSS {before:.0f} → {peak_rss_mb():.0f} MB")
    assert peak_rss_mb() - before < 50


def test_two_million_rows_are_refused_before_the_first_is_read(tmp_path: Path) -> None:
    csv_path = tmp_path / "many.csv"
    csv_path.write_text(HEADER + "童,女,2016-05-05,留守儿童,440105001101\n" * (MAX_ROWS + 1), "utf-8")
    with pytest.raises(UnusableFile, match="over 200,000 rows"):
        open_table(csv_path)
    # A workbook whose dimension says 2 rows, its sheet holding more.
    book = workbook(tmp_path / "many.xlsx", [["姓名"]] + [["童"]] * 3)
    with zipfile.ZipFile(book) as original:
        sheet = original.read("xl/worksheets/sheet1.xml")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
                    for n in range(5, MAX_ROWS + 10))
    patched = sheet.replace(b"</sheetData>", rows + b"</sheetData>")
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(book) as original, zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            out.writestr(item, patched if item.filename == "xl/worksheets/sheet1.xml" else original.read(item))
    with pytest.raises(UnusableFile, match="over 200,000 rows"):
        open_table(lying)


def test_columns_and_cells_past_their_caps(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(["姓名"] * (MAX_COLUMNS + 5)) + "\n" + ",".join(["x"] * (MAX_COLUMNS + 5)) + "\n")
    with pytest.raises(UnusableFile, match=f"beyond column {MAX_COLUMNS}"):
        list(open_table(wide).rows)
    empty_beyond = tmp_path / "empty_beyond.csv"
    empty_beyond.write_text("姓名" + "," * (MAX_COLUMNS + 5) + "\n童" + "," * (MAX_COLUMNS + 5) + "\n")
    assert [len(cells) for _, cells in open_table(empty_beyond).rows] == [MAX_COLUMNS, MAX_COLUMNS]
    long_cell = workbook(tmp_path / "long.xlsx", [["姓名", "住址"], ["童", "路" * (MAX_CELL_CHARS + 1)]])
    with pytest.raises(UnusableFile, match="row 2, column 2 holds 2,001 characters"):
        list(open_table(long_cell).rows)


def test_the_cli_refuses_a_bomb_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx", reading.MAX_UNCOMPRESSED_BYTES // 1024 ** 2 + 20)
    result = CliRunner().invoke(app, ["import", "children", str(path), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "over the cap of 256 MB" in result.output and "Traceback" not in result.output
