"""An office's 通报 as a workbook: a sheet of its sub-offices ranked, each row's card in its colour
with its reasons in words, and a sheet of the thresholds it was carded by; headers in Chinese."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from services.projections.bulletin.wording import CARD, STATUS, percent, reasons, status
from services.shared.cells import append_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("排名", "区划代码", "名称", "得分", "通报牌", "报送状态", "截止日期", "首次报送日期", "迟报天数",
           "结对覆盖率", "五个一达标率", "联系逾期结对", "在结对数", "通报事由")
WIDTHS = (6, 12, 16, 8, 8, 10, 12, 14, 10, 12, 14, 14, 10, 60)
FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "blue": "BDD7EE"}
THRESHOLD_NAMES = {
    "coverage_yellow": "结对覆盖率黄牌线（低于，%）", "coverage_red": "结对覆盖率红牌线（低于，%）",
    "compliance_yellow": "五个一达标率黄牌线（低于，%）", "compliance_red": "五个一达标率红牌线（低于，%）",
    "overdue_yellow": "联系逾期黄牌线（高于，%）", "overdue_red": "联系逾期红牌线（高于，%）",
    "late_yellow_days": "迟报黄牌（天，含）", "late_red_days": "迟报红牌（天，含）",
    "notice_days": "截止前蓝牌提示（天）"}


def bulletin_xlsx(found: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "通报"
    append_row(sheet, [f"{found['name']} {found['month']} 通报（{found['judged_on']} 评定）"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in found["rows"]:
        m = row["measures"]
        append_row(sheet, [row["rank"], row["region"], row["name"], row["score"], CARD["zh"][row["card"]],
                           STATUS["zh"][status(row)], row["deadline"] or "—",
                           row["submitted_on"] or "—", row["days_late"] if row["days_late"] is not None else "—",
                           percent(m["coverage"]), percent(m["compliance"]), row["contacts_overdue"],
                           row["active_pairs"], reasons(row, found["thresholds"]) or "—"])
        if row["card"]:
            sheet.cell(sheet.max_row, 5).fill = PatternFill("solid", fgColor=FILLS[row["card"]])
    counts = found["counts"]
    append_row(sheet, [])
    append_row(sheet, [f"红牌 {counts['red']} 个，黄牌 {counts['yellow']} 个，蓝牌 {counts['blue']} 个"])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "D3"
    rules = book.create_sheet("通报规则")
    whose = found["thresholds_of"] or "默认"
    append_row(rules, ["阈值", f"取值（{whose}）"])
    for key, value in found["thresholds"].items():
        append_row(rules, [THRESHOLD_NAMES.get(key, key), value])
    rules.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
