"""`aixin submission …`: the monthly submission (数据上报). An office submits a month that is over (the
platform fills in its figures), the office directly above returns it with a reason or accepts it
(which locks it); `list` shows an office's months or, with --month, its sub-offices' (who is late);
`show` one month as submitted, with the adjustments recorded since it was accepted."""

from __future__ import annotations

import json
import re
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.common import office_named, AsJson, DataDir, call, console, fail, get_json, region_arg
from services.cli.figures_format import LOCALES, shown_figure
from services.projections.figures.catalogue import BY_KEY, label

submission_app = typer.Typer(help="The monthly submission (数据上报): submit, return, accept, list.",
                             no_args_is_help=True)
MonthArg = Annotated[str, typer.Argument(help="the month, YYYY-MM")]
STATUS = {"not submitted": "未报送", "submitted": "待审核", "returned": "已退回", "accepted": "已通过"}


def _month(text: str) -> str:
    if not re.fullmatch(r"2[0-9]{3}-(0[1-9]|1[0-2])", text):
        fail(f"a month is written YYYY-MM, e.g. 2026-11; {text!r} is not")
    return text


def _post(data_dir, name: str, body: dict) -> dict:
    return call(data_dir, "POST", f"/commands/reporting/{name}", body=body)


def _explanations(given: list[str]) -> dict[str, str]:
    found = {}
    for item in given:
        code, _, reason = item.partition("=")
        if not code.strip() or not reason.strip():
            fail(f"--explain is CODE=REASON (a sub-office and why it has not submitted); {item!r} is not")
        found[code.strip()] = reason.strip()
    return found


@submission_app.command()
def submit(region: str, month: MonthArg, explain: Annotated[Optional[list[str]], typer.Option(
        "--explain", help="CODE=REASON: why a sub-office has not submitted (repeat for each)")] = None,
        data_dir: DataDir = None) -> None:
    """Submit REGION's MONTH (your own office's) to the office directly above."""
    body = {"office": region_arg(region), "month": _month(month), "explanations": _explanations(explain or [])}
    _post(data_dir, "submit_month", body)
    console.print(f"Submitted {month} of {office_named(body['office'])}; the office above reviews it.", highlight=False)


@submission_app.command("return")
def return_(region: str, month: MonthArg, reason: Annotated[str, typer.Option(help="why, in a line")],
            data_dir: DataDir = None) -> None:
    """Return a sub-office's submitted MONTH, saying why (an approver of the office directly above)."""
    _post(data_dir, "return_submission", {"office": region_arg(region), "month": _month(month), "reason": reason})
    console.print(f"Returned {month} of {office_named(region_arg(region))}: {reason}", highlight=False)


@submission_app.command()
def accept(region: str, month: MonthArg, data_dir: DataDir = None) -> None:
    """Accept a sub-office's submitted MONTH, which locks it (an approver of the office directly above)."""
    _post(data_dir, "accept_submission", {"office": region_arg(region), "month": _month(month)})
    console.print(f"Accepted {month} of {office_named(region_arg(region))}; it is locked: later changes show as "
                  "its adjustments.", highlight=False)


def _row(table: Table, row: dict, first: str) -> None:
    late = f"{row['days_late']}" if row["days_late"] else ""
    table.add_row(first, STATUS.get(row["status"], row["status"]), row["deadline"], late,
                  row.get("submitted_on") or "", str(row.get("adjustments") or ""), row.get("reason") or "")


@submission_app.command("list")
def list_(region: str, month: Annotated[Optional[str], typer.Option(
        help="YYYY-MM: the sub-offices' submissions of that month (who is late)")] = None,
        count: int = 12, json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """REGION's months and where each stands; with --month, its sub-offices' submissions of that month."""
    code = region_arg(region)
    path = f"/regions/{code}/submissions" + (f"/{_month(month)}" if month else "")
    result = get_json(data_dir, path, **({} if month else {"count": count}))
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(box=None)
    for header in ("office" if month else "month", "status", "deadline", "late", "submitted"):
        table.add_column(header, no_wrap=True)
    table.add_column("adj.", justify="right")
    table.add_column("returned because", overflow="fold")
    for row in result["sub_offices"] if month else result["months"]:
        _row(table, row, f"{row['name']} ({row['office']})" if month else row["month"])
    console.print(table)


def _figure(key: str, lang: str) -> str:
    return label(key, lang) if key in BY_KEY else key  # a figure newer than this catalogue: by its key


def _shown(key: str, value: float, lang: str) -> str:
    return shown_figure(key, value, lang) if key in BY_KEY else str(value)


@submission_app.command()
def show(region: str, month: MonthArg, lang: Annotated[str, typer.Option("--lang", help="zh (default) or en")] = "zh",
         json_out: AsJson = False, data_dir: DataDir = None) -> None:
    """REGION's MONTH as submitted: its figures then and now, every step, the adjustments since."""
    if lang not in LOCALES:
        fail(f"--lang is zh or en, not {lang!r}")
    found = get_json(data_dir, f"/regions/{region_arg(region)}/submissions/{_month(month)}")["submission"]
    if json_out or found is None:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2) if json_out else f"{month}: not submitted")
        return
    console.print(f"{found['name']} ({found['office']}) {month}: {STATUS[found['status']]} {found['status']}, "
                  f"round {found['round']}",
                  highlight=False)
    for step in found["steps"]:
        deltas = ", ".join(f"{_figure(k, lang)} {'+' if v > 0 else '-'}{_shown(k, abs(v), lang)}"
                           for k, v in (step["deltas"] or {}).items())
        console.print(f"  {step['on']} {step['step']} by {step['operator']} ({office_named(step['office'])}) "
                      f"{step['reason'] or ''}{deltas}", highlight=False)
    console.print(_figures_table(found, lang))


def _figures_table(found: dict, lang: str) -> Table:
    """The figures that are not zero, then or now, by their labels; a changed one marked."""
    table = Table("指标" if lang == "zh" else "figure", "报送时" if lang == "zh" else "as submitted",
                  "现在" if lang == "zh" else "now")
    for key, value in found["figures"].items():
        then = found["figures_submitted"].get(key, 0)
        if value or then:
            now = _shown(key, value, lang)
            table.add_row(_figure(key, lang), _shown(key, then, lang), f"[bold]{now}[/]" if value != then else now)
    return table
