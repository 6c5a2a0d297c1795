"""A list is read as what its content is, whatever its name says."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from services.importing.reading import UnusableFile, open_table


@pytest.mark.parametrize("name", ["list.xlsx", "list.xls", "list.csv", "list"])
def test_a_workbook_is_read_as_a_workbook_under_any_name(tmp_path: Path, name: str) -> None:
    workbook = Workbook()
    workbook.active.append(["姓名", "性别"])
    workbook.active.append(["李小花", "女"])
    workbook.save(tmp_path / name)
    table = open_table(tmp_path / name)
    assert table.description.startswith("XLSX")
    assert list(table.rows) == [(1, ["姓名", "性别"]), (2, ["李小花", "女"])]


def test_a_broken_workbook_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "list.xls").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UnusableFile, match="not a readable XLSX workbook"):
        open_table(tmp_path / "list.xls")
