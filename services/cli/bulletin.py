"""`aixin bulletin REGION MONTH`: an office's 通报 — its direct sub-offices ranked on timeliness,
coverage, five-ones compliance and contacts overdue, each with its card and why, in zh-CN unless
`--lang en`; `--xlsx FILE` writes the workbook too, `--json` prints the API's answer. The thresholds
are set by `POST /commands/reporting/set_card_thresholds` (or `aixin thresholds`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from services.cli.client import NotRunning, connect, request
from services.cli.common import AsJson, DataDir, call, console, fail, get_json, region_arg, shown
from services.cli.credentials import AccessDenied
from services.projections.bulletin.wording import CARD, STATUS, percent, reasons, status

Lang = Annotated[str, typer.Option("--lang", help="zh (default) or en")]
STYLE = {"red": "bold white on red", "yellow": "bold black on yellow", "blue": "bold white on blue"}
HEAD = {"zh": ("名次", "名称", "得分", "牌", "报送", "覆盖率", "五个一", "逾期", "事由"),
        "en": ("#", "office", "score", "card", "submitted", "coverage", "five ones", "overdue", "why")}
LATE = {"zh": "迟{}天", "en": "{}d late"}
TITLE = {"zh": "{name} {month} 通报（{day} 评定）", "en": "{name}: bulletin for {month} (judged on {day})"}
COUNTS = {"zh": "红牌 {red} · 黄牌 {yellow} · 蓝牌 {blue}；阈值：{whose}",
          "en": "red {red} · yellow {yellow} · blue {blue}; thresholds: {whose}"}
DEFAULT = {"zh": "默认", "en": "the defaults"}


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        fail(f"MONTH is a month like 2026-11; {text!r} is not")
    return text


def bulletin(
    region: Annotated[str, typer.Argument(help="the supervising office: CN or a division code")],
    month: Annotated[str, typer.Argument(help="the month, e.g. 2026-11")],
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="also write the workbook to this file")] = None,
    lang: Lang = "zh", json_out: AsJson = False, data_dir: DataDir = None,
) -> None:
    """An office's 通报 for a month: its sub-offices ranked, with blue, yellow and red cards."""
    code, month = region_arg(region), _month(month)
    if lang not in TITLE:
        fail(f"--lang is zh or en, not {lang!r}")
    found = get_json(data_dir, f"/regions/{code}/bulletin", month=month)
    if json_out:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        console.print(_table(found, lang))
        whose = found["thresholds_of"] or DEFAULT[lang]
        console.print(COUNTS[lang].format(**found["counts"], whose=shown(whose)))
    if xlsx is not None:
        content = _download(data_dir, f"/regions/{code}/bulletin.xlsx", month)
        xlsx.write_bytes(content)
        console.print(f"{shown(str(xlsx))} ({len(content):,} bytes)")


def _table(found: dict, lang: str) -> Table:
    name = found["name"] if found["level"] != "national" else ("全国" if lang == "zh" else "China")
    table = Table(title=TITLE[lang].format(name=shown(name), month=found["month"], day=found["judged_on"]))
    for index, head in enumerate(HEAD[lang]):  # names and cards whole; the reasons wrap
        last = index == len(HEAD[lang]) - 1
        table.add_column(head, no_wrap=not last, overflow="fold" if last else "ellipsis",
                         justify="right" if index in (0, 2, 5, 6, 7) else "left")
    for row in found["rows"]:
        m, card = row["measures"], row["card"]
        table.add_row(str(row["rank"]), shown(row["name"]), f"{row['score']:.1f}",
                      f"[{STYLE[card]}]{CARD[lang][card]}[/]" if card else "—", _submitted(row, lang),
                      percent(m["coverage"]), percent(m["compliance"]),
                      f"{row['contacts_overdue']}/{row['active_pairs']}" if row["active_pairs"] else "—",
                      shown(reasons(row, found["thresholds"], lang)) or "—")
    return table


def _submitted(row: dict, lang: str) -> str:
    """Where its month stands: sent late by days, or its status (`wording.status`)."""
    if row["status"] and row["days_late"]:
        return LATE[lang].format(row["days_late"])
    return STATUS[lang][status(row)]


def _download(data_dir: Path | None, path: str, month: str) -> bytes:
    try:
        return request(connect(data_dir), "GET", path, params={"month": month}, raw=True)
    except NotRunning as error:
        fail(str(error))
    except (AccessDenied, LookupError) as error:
        fail(str(error), code=1)


THRESHOLDS = ("coverage_yellow", "coverage_red", "compliance_yellow", "compliance_red", "overdue_yellow",
              "overdue_red", "late_yellow_days", "late_red_days", "notice_days")


def thresholds(
    office: Annotated[str, typer.Argument(help="the supervising office: CN or a division code")],
    set_: Annotated[list[str], typer.Option("--set", help="NAME=VALUE, e.g. coverage_yellow=90 (repeatable): "
                                            + ", ".join(THRESHOLDS))] = [],  # noqa: B006 (typer's way)
    from_month: Annotated[Optional[str], typer.Option("--from", help="the first month they apply to")] = None,
    data_dir: DataDir = None,
) -> None:
    """Set the thresholds of an office's 通报 cards (those not named keep their value)."""
    body: dict = {"office": region_arg(office)}
    if from_month:
        body["from_month"] = _month(from_month)
    for pair in set_:
        key, _, value = pair.partition("=")
        if key not in THRESHOLDS or not value.strip().isdigit():
            fail(f"--set takes NAME=VALUE with a whole number and one of {', '.join(THRESHOLDS)}; {pair!r} is not")
        body[key] = int(value)
    result = call(data_dir, "POST", "/commands/reporting/set_card_thresholds", body=body)
    set_events = [e for e in result.get("events", []) if e["event_type"] == "CardThresholdsSet"]
    console.print("thresholds set" if set_events else "nothing changed: the same thresholds from the same month")
