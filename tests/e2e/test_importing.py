"""Importing civil-affairs lists: the identity number, the column mapping, the file formats and the
report (pure), then whole imports through the intake service's bulk routes on a real nats-server:
every good row registered exactly once, every bad row reported, re-imports adding nothing."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from contracts.envelope import Actor, FederationLevel
from contracts.intake.registration import Sex
from services.cli.app import app
from services.importing.columns import CHILD_COLUMNS, match_fields
from services.intake.idcard import InvalidIdNumber, check_character, parse_id_number
from services.importing.reading import UnusableFile, open_table
from services.importing.report import ALREADY, BAD, Entry, write_report
from services.importing.runner import KINDS, Importer, prepare
from services.intake.app import ROUTES as INTAKE
from services.shared.endpoints import execute
from tooling.synthetic.children import synthetic_children
from tooling.synthetic.idcard import synthetic_id_number
from tests.conftest import NATIONAL

TODAY = date(2026, 6, 1)  # the deps fixture's clock
COMMUNITY = "440105001101"
BOY = synthetic_id_number("440105", date(2016, 3, 8), Sex.male, 7)


def child_row(**changes: str) -> dict[str, str]:
    row = {"姓名": "李小明", "性别": "男", "出生日期": "2016/3/8", "身份证号": BOY, "类别": "留守儿童",
           "子类别": "父母双方外出", "区划代码": COMMUNITY, "监护人": "李奶奶", "监护人关系": "奶奶",
           "联系电话": "13900000001"}
    return {**row, **changes}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig", title: str = "") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        if title:
            writer.writerow([title])
        writer.writerow(list(rows[0]))
        writer.writerows(list(row.values()) for row in rows)
    return path


def parse_all(path: Path, kind: str = "children"):
    job = prepare(KINDS[kind], path, NATIONAL, TODAY)
    return job, [(line, job.parser.parse(line, cells)) for line, cells in job.rows if not job.parser.is_blank(cells)]


def problems_of(path: Path) -> dict[int, list[tuple[str, str]]]:
    _, parsed = parse_all(path)
    return {line: [(p.column, p.reason) for p in result] for line, result in parsed if isinstance(result, list)}


# --- the identity number ---

def test_the_check_digit_of_the_standard_example() -> None:
    assert check_character("11010519491231002") == "X"
    card = parse_id_number("11010519491231002x")
    assert (card.number, card.birth_date, card.sex) == ("11010519491231002X", date(1949, 12, 31), Sex.female)
    with pytest.raises(InvalidIdNumber, match="check digit is 1, the first 17 digits give X"):
        parse_id_number("110105194912310021")
    with pytest.raises(InvalidIdNumber, match="not a calendar date"):
        parse_id_number((first := "44010520150231001") + check_character(first))


def test_a_synthetic_number_carries_its_birth_date_and_sex() -> None:
    card = parse_id_number(BOY)
    assert (card.birth_date, card.sex) == (date(2016, 3, 8), Sex.male)


def test_birth_date_and_sex_must_agree_with_the_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [child_row(), child_row(出生日期="2016-03-09", 身份证号=""),
                                             child_row(性别="女"), child_row(出生日期="20160309")])
    problems = problems_of(path)
    assert list(problems) == [4, 5]  # row 3 has no number: its own date and sex stand
    assert problems[4] == [("性别", "女 disagrees with the 身份证号 (17th digit: 男)")]
    assert problems[5][0][0] == "出生日期" and "gives 2016-03-08" in problems[5][0][1]


def test_without_date_and_sex_columns_the_number_gives_them(tmp_path: Path) -> None:
    rows = [{k: v for k, v in child_row().items() if k not in ("性别", "出生日期")}]
    _, [(_, command)] = parse_all(write_csv(tmp_path / "list.csv", rows))
    assert (command.sex, command.birth_date, command.id_number) == (Sex.male, date(2016, 3, 8), BOY)


# --- columns and values ---

def test_chinese_headers_with_marks_and_notes_are_mapped() -> None:
    headers = ["序号", "姓名*", "性 别", "出生日期(yyyy-mm-dd)", "公民身份号码", "儿童类别", "村(社区)代码",
               "监护人姓名", "与儿童关系", "监护人联系电话", "备注"]
    assert match_fields(headers, CHILD_COLUMNS) == {
        "name": 1, "sex": 2, "birth_date": 3, "id_number": 4, "category": 5, "region": 6,
        "guardian": 7, "guardian_relation": 8, "guardian_phone": 9}


def test_a_title_row_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [child_row()], title="海珠区留守儿童花名册")
    job, [(line, command)] = parse_all(path)
    assert (job.layout.line, line, command.name, command.region) == (2, 3, "李小明", COMMUNITY)
    assert command.guardian.relation == "grandparent" and command.guardian.phone == "13900000001"


def test_the_values_lists_use_are_understood(tmp_path: Path) -> None:
    rows = [child_row(姓名=f"李小{n}", 出生日期=d, 身份证号="", 类别=c, 子类别="") for n, d, c in
            [("一", "2016-03-08", "困境儿童"), ("二", "2016/3/8", "孤儿"), ("三", "20160308", "留守儿童"),
             ("四", "2016年3月8日", "留守")]]
    _, parsed = parse_all(write_csv(tmp_path / "list.csv", rows))
    commands = [command for _, command in parsed]
    assert {c.birth_date for c in commands} == {date(2016, 3, 8)}
    assert [(c.category, c.subtype) for c in commands][:2] == [
        ("in_difficulty", None), ("in_difficulty", "orphaned")]


def test_every_problem_of_a_row_is_named_with_its_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [child_row(), child_row(
        姓名="", 区划代码="440105001", 联系电话="12345", 类别="孤寡老人", 身份证号=BOY[:17] + "0")])
    assert {column for column, _ in problems_of(path)[3]} == {"姓名", "区划代码", "联系电话", "类别", "身份证号"}


def test_the_same_child_twice_in_a_file_is_a_bad_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [child_row(), child_row(姓名="李晓明")])
    assert problems_of(path) == {3: [("身份证号", "the same person as in row 2")]}


def test_children_of_18_are_not_registered(tmp_path: Path) -> None:
    adult = synthetic_id_number("440105", date(2008, 5, 1), Sex.male, 1)
    path = write_csv(tmp_path / "list.csv", [child_row(身份证号=adult, 出生日期="2008-05-01")])
    assert problems_of(path) == {2: [("出生日期", "the child is 18; the programme is for children under 18")]}


def test_the_report_opens_in_a_spreadsheet_as_written(tmp_path: Path) -> None:
    entries = [Entry(7, "联系电话", BAD, "'12345' is not a phone number", ("王小红", "=1+1", BOY)),
               Entry(3, "身份证号", ALREADY, "already registered in 下渡社区居委会", ("李小明",))]
    path = write_report(tmp_path / "report.csv", ("姓名", "备注", "身份证号"), entries)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "联系电话".encode() in raw  # UTF-8 with BOM
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [["行号/line", "列/column", "结果/outcome", "原因/reason", "姓名", "备注", "身份证号"],
                    ["3", "身份证号", ALREADY, "already registered in 下渡社区居委会", "李小明", "", ""],
                    ["7", "联系电话", BAD, "'12345' is not a phone number", "王小红", "'=1+1", f'="{BOY}"']]


# --- file formats ---

@pytest.mark.parametrize("encoding, described", [
    ("utf-8-sig", "UTF-8 with BOM"), ("utf-8", "UTF-8"), ("gbk", "GB18030/GBK"), ("gb18030", "GB18030/GBK")])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, described: str) -> None:
    name = "𠮷小明" if encoding in ("gb18030", "utf-8") else "李小明"  # 𠮷 is in GB18030, not in GBK
    path = write_csv(tmp_path / "list.csv", [child_row(姓名=name)], encoding=encoding)
    job, [(_, command)] = parse_all(path)
    assert job.table.description == f"CSV, {described}"
    assert command.name == name


def test_an_xlsx_as_office_software_writes_it(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["花名册"])
    sheet.append(["姓名", "性别", "出生日期", "身份证号", "类别", "区划代码", "监护人", "联系电话"])
    sheet.append(["李小明", "男", datetime(2016, 3, 8), BOY, "留守儿童", int(COMMUNITY), "李奶奶", 13900000001])
    sheet.append([None] * 8)
    sheet.append(["王小红", "女", 42437, 440105201603080000, "困境儿童", COMMUNITY, None, None])
    book.save(tmp_path / "list.xlsx")
    job, parsed = parse_all(tmp_path / "list.xlsx")
    assert job.table.description == "XLSX, sheet 'Sheet'"
    assert [line for line, _ in parsed] == [3, 5]  # row 4 is empty
    [(_, first), (_, problems)] = parsed
    assert (first.birth_date, first.region, first.guardian.phone) == (date(2016, 3, 8), COMMUNITY, "13900000001")
    assert [p.column for p in problems] == ["身份证号"] and "format the column as text" in problems[0].reason


def test_unusable_files_are_named_with_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(UnusableFile, match="cannot read .*missing.csv"):
        open_table(tmp_path / "missing.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(UnusableFile, match="old.xls is an old Excel .xls workbook"):
        open_table(tmp_path / "old.xls")
    (tmp_path / "photo.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnusableFile, match="photo.csv is neither a CSV"):
        open_table(tmp_path / "photo.csv")


def test_the_cli_refuses_unusable_input_with_exit_code_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["import", "children", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv" in missing.output
    no_region = write_csv(tmp_path / "list.csv", [{k: v for k, v in child_row().items() if k != "区划代码"}])
    result = runner.invoke(app, ["import", "children", str(no_region)])
    assert result.exit_code == 2 and "区划代码 (region)" in result.output


# --- whole imports on a real nats-server ---

def sender(deps):
    async def send(route, command):
        model, handler = INTAKE[route]
        return await execute(deps, model, handler, command.model_dump_json().encode())
    return send


async def run_import(deps, path: Path, kind: str = "children", report: Path | None = None):
    job = prepare(KINDS[kind], path, NATIONAL, TODAY)
    return await Importer(sender(deps)).run(job, report)


def report_rows(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


async def test_a_list_imports_once_with_every_bad_row_reported(deps, event_log, tmp_path: Path) -> None:
    listing = synthetic_children(1000, bad_share=0.01, seed=3)
    assert len({kind for kind, _ in listing.bad.values()}) >= 6
    path = listing.write_csv(tmp_path / "list.csv")

    summary = await run_import(deps, path)
    good = len(listing.good_lines)
    assert (summary.rows, summary.registered, summary.bad) == (1000, good, len(listing.bad))
    assert await event_log.last_sequence() == good  # one ChildRegistered per good row, nothing more
    reported = {(int(r["行号/line"]), r["列/column"]) for r in report_rows(summary.report)}
    assert reported == {(line, column) for line, (_, column) in listing.bad.items()}
    first_bad = report_rows(summary.report)[0]
    assert first_bad["结果/outcome"] == BAD and first_bad["原因/reason"] and first_bad["姓名"] is not None

    again = await run_import(deps, path)
    assert (again.registered, again.already_registered, again.bad) == (0, good, len(listing.bad))
    assert await event_log.last_sequence() == good
    already = [r for r in report_rows(again.report) if r["结果/outcome"] == ALREADY]
    assert len(already) == good and "already registered in" in already[0]["原因/reason"]


async def test_an_overlapping_list_adds_only_the_children_not_on_file(deps, event_log, tmp_path: Path) -> None:
    first = synthetic_children(300, bad_share=0, seed=5)
    second = synthetic_children(300, bad_share=0, seed=5, offset=200)  # rows 200-299 are in both
    await run_import(deps, first.write_csv(tmp_path / "first.csv"))
    summary = await run_import(deps, second.write_csv(tmp_path / "second.csv"))
    assert (summary.registered, summary.already_registered) == (200, 100)
    assert await event_log.last_sequence() == 500


async def test_a_child_registered_elsewhere_is_reported_not_duplicated(deps, event_log, tmp_path: Path) -> None:
    body = {"actor": NATIONAL.model_dump(mode="json"), "region": "510623100004", "name": "李小明",
            "sex": "male", "birth_date": "2016-03-08", "category": "left_behind", "id_number": BOY}
    model, handler = INTAKE["register_child"]
    registered = await execute(deps, model, handler, json.dumps(body).encode())
    assert registered.ok

    summary = await run_import(deps, write_csv(tmp_path / "list.csv", [child_row()]))
    assert (summary.registered, summary.already_registered, summary.bad) == (0, 1, 0)
    [entry] = report_rows(summary.report)
    assert entry["列/column"] == "身份证号" and "already registered in" in entry["原因/reason"]
    assert "510623100004" in entry["原因/reason"] and entry["身份证号"] == f'="{BOY}"'
    assert await event_log.last_sequence() == 1

    again = await execute(deps, model, handler, json.dumps({**body, "region": COMMUNITY}).encode())
    assert again.error.code == "rule_violated" and "already registered in region 510623100004" in again.error.message


async def test_rows_outside_the_operators_region_are_refused_on_their_region(deps, event_log, tmp_path: Path) -> None:
    sichuan = Actor(operator_id="op-sc", level=FederationLevel.province, region="51")
    job = prepare(KINDS["children"], write_csv(tmp_path / "list.csv", [child_row()]), sichuan, TODAY)
    summary = await Importer(sender(deps)).run(job)
    assert (summary.registered, summary.bad) == (0, 1)
    [entry] = report_rows(summary.report)
    assert entry["列/column"] == "区划代码" and "op-sc" in entry["原因/reason"]
    assert await event_log.last_sequence() == 0


async def test_one_child_twice_in_a_batch_is_registered_once(deps, event_log) -> None:
    row = {"actor": NATIONAL.model_dump(mode="json"), "name": "李小明", "sex": "male",
           "birth_date": "2016-03-08", "category": "left_behind", "id_number": BOY}
    rows = [{**row, "command_id": "a", "region": COMMUNITY}, {**row, "command_id": "b", "region": "510623100004"}]
    model, handler = INTAKE["register_children"]
    reply = await execute(deps, model, handler, json.dumps({"actor": row["actor"], "rows": rows}).encode())
    assert [r["status"] for r in reply.result["rows"]] == ["registered", "already_registered"]
    assert await event_log.last_sequence() == 1


async def test_a_child_registered_after_the_lookup_costs_the_others_nothing(deps, event_log, monkeypatch) -> None:
    """The race between looking rows up and appending them: the server refuses the whole batch, and
    the rows are appended one by one, each answered exactly."""
    row = {"actor": NATIONAL.model_dump(mode="json"), "region": COMMUNITY, "sex": "male",
           "birth_date": "2016-03-08", "category": "left_behind"}
    model, handler = INTAKE["register_children"]
    first = await execute(deps, model, handler, json.dumps(
        {"actor": row["actor"], "rows": [{**row, "name": "甲", "command_id": "r1"}]}).encode())
    assert first.result["registered"] == 1

    async def nobody_on_file(kind, ids):  # as if r1's child was registered just after the lookup
        return {}

    monkeypatch.setattr(deps.log, "subjects_of", nobody_on_file)
    rows = [{**row, "name": name, "command_id": f"r{n}"} for n, name in [(2, "乙"), (4, "甲"), (3, "丙")]]
    reply = await execute(deps, model, handler, json.dumps({"actor": row["actor"], "rows": rows}).encode())
    assert [r["status"] for r in reply.result["rows"]] == ["registered", "already_registered", "registered"]
    assert "already registered in" in reply.result["rows"][1]["message"]
    assert await event_log.last_sequence() == 3


async def test_rows_beyond_one_atomic_batch_go_in_several(deps, event_log, tmp_path: Path, monkeypatch) -> None:
    from services.intake import bulk

    monkeypatch.setattr(bulk, "MAX_BATCH_EVENTS", 3)
    listing = synthetic_children(10, bad_share=0, seed=11)
    summary = await run_import(deps, listing.write_csv(tmp_path / "list.csv"))
    assert (summary.registered, summary.bad) == (10, 0)
    assert await event_log.last_sequence() == 10


async def test_volunteers_import_from_xlsx_and_again_adds_nothing(deps, event_log, tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["姓名", "性别", "联系电话", "区划代码", "类型", "类别", "特长", "可结对人数"])
    book.active.append(["王芳", "女", "13800000001", COMMUNITY, "爱心妈妈", "专长妈妈", "心理、阅读", 2])
    book.active.append(["张强", "男", "13800000002", COMMUNITY, None, None, None, None])
    book.active.append(["赵敏", "女", "138", COMMUNITY, None, None, None, None])
    book.save(tmp_path / "mothers.xlsx")
    summary = await run_import(deps, tmp_path / "mothers.xlsx", "volunteers")
    assert (summary.registered, summary.bad) == (2, 1)
    events = [stored.event async for stored in event_log.read(1, until_seq=2)]
    assert {(e.kind, e.volunteer_type, e.specialties, e.capacity) for e in events} == {
        ("mother", "specialist", ("心理", "阅读"), 2), ("father", "neighbour", (), 1)}
    again = await run_import(deps, tmp_path / "mothers.xlsx", "volunteers")
    assert (again.registered, again.already_registered) == (0, 2)
    assert await event_log.last_sequence() == 2
