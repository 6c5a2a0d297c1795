"""How figures are shown: zh-CN or English with the locale's separators, money in yuan, shares as
percentages; and the month's report as XLSX (a sheet per topic, zh-CN headers) or CSV with a BOM."""

from __future__ import annotations

import csv
import io

import openpyxl

from services.activity.care.cadence import HAIMEN
from services.projections.pair_compliance.figures import Tally
from services.api.figures_report import report_file
from services.cli.figures_format import number
from services.projections.figures.catalogue import FIGURES, TOPICS, complete, label


def test_numbers_are_shown_with_the_locales_separators() -> None:
    assert number(1_824_000, "count", "zh") == "1,824,000" == number(1_824_000, "count", "en")
    assert number(10_000_000, "fen", "zh") == "100,000.00"  # 100,000 yuan
    assert number(0.4567, "share", "zh") == "45.7%" and number(97.94, "hours", "en") == "97.9"


def test_every_figure_has_a_stable_key_a_topic_and_both_names() -> None:
    keys = [f.key for f in FIGURES]
    assert len(keys) == len(set(keys)) and all(k.isascii() and k == k.lower() for k in keys)
    assert {f.topic for f in FIGURES} == {t.key for t in TOPICS}
    assert label("children_paired", "zh") == "已结对儿童" and label("children_paired", "en") == "children paired"


def _report(fmt: str) -> bytes:
    compliance = {k: v for k, v in Tally(HAIMEN).figures().items()}
    total = {"region": "440000000000", "name": "广东省", **complete({"children": 5, "funds_raised_fen": 12_345}),
             "compliance": compliance}
    rows = [{"region": "440100000000", "level": "city", "name": "广州市", **complete({"children": 5}),
             "compliance": compliance},
            {"region": "440300000000", "level": "city", "name": "深圳市", **complete({}), "compliance": compliance}]
    hours = [{"id": "v1", "name": "王芳", "region": "440105001101", "minutes": 90, "hours": 1.5, "activities": 2}]
    regions = [{"id": "440105", "name": "海珠区", "region": "440105000000", "minutes": 90, "hours": 1.5,
                "activities": 2, "volunteers": 1}]
    return report_file(fmt, total, rows, HAIMEN, hours, [], regions)


def test_the_xlsx_report_has_a_sheet_per_topic_a_row_per_sub_region_and_a_total() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_report("xlsx")))
    assert [t.zh for t in TOPICS] + ["五个一", "志愿者服务时长", "服务队服务时长", "各地服务时长"] == book.sheetnames
    rows = list(book["儿童与结对"].iter_rows(values_only=True))
    assert rows[0][:3] == ("区划代码", "名称", "在册儿童")
    assert [r[:3] for r in rows[1:]] == [("4401", "广州市", 5), ("4403", "深圳市", 0), ("44", "合计（广东省）", 5)]
    funds = list(book["爱心基金"].iter_rows(values_only=True))
    assert funds[0][4] == "募集资金（元）" and funds[-1][4] == 123.45
    assert list(book["志愿者服务时长"].iter_rows(values_only=True))[1] == ("王芳", "v1", "440105001101", 1.5, 2)
    assert list(book["各地服务时长"].iter_rows(values_only=True))[1] == ("海珠区", "440105", "440105", 1.5, 2)


def test_the_csv_report_is_utf8_with_a_bom() -> None:
    raw = _report("csv")
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][:3] == ["区划代码", "名称", "志愿者·在册志愿者"] and [line[1] for line in lines[1:]] == \
        ["广州市", "深圳市", "合计（广东省）"]
    assert lines[0][-1] == "五个一·无未达标项比例" and lines[-1][-1] == "0.0%"
