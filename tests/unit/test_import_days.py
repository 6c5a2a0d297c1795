"""A list's registration and recruitment days: taken from its 登记日期 / 招募日期 column where it has
one (each row's command then carries it, and is refused there if it is after today or before the
child was born), else left to the command's default, the day of the import; a staff column marks
federation staff among volunteers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from contracts.envelope import Actor, FederationLevel
from services.importing.runner import KINDS, prepare

ACTOR = Actor(operator_id="op-1", level=FederationLevel.national, region="CN")
TODAY = date(2026, 6, 1)


def parsed(tmp_path: Path, kind: str, lines: list[str]) -> list:
    path = tmp_path / "list.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    job = prepare(KINDS[kind], path, ACTOR, TODAY)
    return [job.parser.parse(line, cells) for line, cells in job.rows]


def test_a_childrens_list_gives_each_row_its_registration_day_or_none(tmp_path: Path) -> None:
    rows = parsed(tmp_path, "children", ["姓名,性别,出生日期,类别,区划代码,登记日期",
                                         "李小花,女,2016-03-08,留守儿童,440105001101,2024/9/1",
                                         "王小明,男,2015-05-01,留守儿童,440105001101,"])
    assert [row.registered_on for row in rows] == [date(2024, 9, 1), None]


def test_a_volunteers_list_gives_her_recruitment_day_and_whether_she_is_staff(tmp_path: Path) -> None:
    [row, bad] = parsed(tmp_path, "volunteers", ["姓名,性别,区划代码,招募日期,妇联干部",
                                                 "王芳,女,440105001101,2025-03-08,是",
                                                 "李娟,女,440105001101,not a day,否"])
    assert (row.recruited_on, row.staff) == (date(2025, 3, 8), True)
    assert [problem.column for problem in bad] == ["招募日期"]
