"""The work lists: which API route each reads, how it pages, and how it may be filtered — by a
sub-region of the page's region (the list is then read at that region's own route, so the API's
scope check decides, exactly as for any other client: an operator never reads above her office)
and by tier, rule or kind where the list has them. A filter the API applies itself is sent on; the
lists the API answers whole (open concerns, the rematch queue) are filtered and paged here. An
export reads the whole list the same way, page by page, and has it written by the read-side
reports' writer (services.api.figures_report.table_file): one CSV/XLSX writer for the platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from contracts.activity.concerns import ConcernKind, RiskTier
from contracts.regions import Region
from contracts.activity.reminders import ReminderRule
from services.api.proposals import PATH as PROPOSALS
from services.dashboard.client import Answer, ApiClient
from services.dashboard.i18n import Translator
from services.dashboard.view import TIER_FIELDS, TIER_ORDER, cell, region_or_none, rows_of

EXPORT_MAX = 50_000  # rows in one file: a list longer than this is no list anyone works through


@dataclass(frozen=True)
class WorkList:
    path: str  # the API route, {code} the region read
    label: str  # catalog key of its title
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (query parameter, its allowed values)
    paged: bool = True  # the API takes limit and offset (else it answers the list whole)
    most: int | None = 10_000  # the largest limit the API takes (None: it takes no limit)
    local: bool = False  # its filters are applied here, on the whole answer, not sent to the API


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# Shown where the running API has the route, in this order on the home page.
LISTS = {
    "unpaired": WorkList("/regions/{code}/queues/unpaired-at-risk", "work.unpaired", (("tier", _values(RiskTier)),)),
    "places": WorkList("/regions/{code}/work/places-to-complete", "work.places"),
    "overdue": WorkList("/regions/{code}/queues/overdue-contacts", "work.overdue"),
    "pending": WorkList(PROPOSALS, "work.pending", most=1000),
    "concerns": WorkList("/regions/{code}/concerns", "work.concerns", (("kind", _values(ConcernKind)),),
                         paged=False, most=None, local=True),  # the open ones: the API's default
    "reminders": WorkList("/regions/{code}/queues/reminders", "work.reminders", (("rule", _values(ReminderRule)),)),
    "rematch": WorkList("/regions/{code}/rematch-queue", "work.rematch", paged=False, most=1000),
    # sub-offices whose month is past its deadline and not submitted (数据上报)
    "late": WorkList("/regions/{code}/queues/late-submissions", "work.late", paged=False, most=1000),
}


class BadFilter(ValueError):
    """A filter the list does not have, or a value it cannot take: said to the operator, not a 500."""


@dataclass(frozen=True)
class Chosen:
    within: str | None = None  # the sub-region read instead of the page's region
    values: dict[str, str] = field(default_factory=dict)  # tier, rule or kind -> the value wanted

    def query(self, **more: object) -> str:
        """The filters as a query string (for the pager's and the export's links)."""
        pairs = {"within": self.within or "", **self.values, **more}
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})


def chosen(spec: WorkList, region: Region, params: Mapping[str, str]) -> Chosen:
    """The filters asked for, checked: `within` must lie inside the page's region (the API then
    checks it against the operator's office), each other filter one of its values."""
    within = (params.get("within") or "").strip() or None
    if within is not None:
        inner = region_or_none(within)
        if inner is None or not region.contains(inner):
            raise BadFilter(f"within={within}")
        within = None if inner.code == region.code else inner.code
    values = {}
    for name, allowed in spec.filters:
        value = (params.get(name) or "").strip()
        if value and value not in allowed:
            raise BadFilter(f"{name}={value}")
        if value:
            values[name] = value
    return Chosen(within, values)


@dataclass(frozen=True)
class Read:
    answer: Answer  # the API's, to show its refusal
    rows: list[dict]
    total: int | None  # None where the API does not say (the pager then guesses from a full page)


async def read(client: ApiClient, token: str, spec: WorkList, code: str, how: Chosen, offset: int, limit: int) -> Read:
    """One page of a list as the operator may read it, filtered."""
    where = spec.path.replace("{code}", how.within or code)
    if spec.paged:
        answer = await client.get(token, where, limit=limit, offset=offset, **({} if spec.local else how.values))
        total = answer.body.get("total") if answer.ok and isinstance(answer.body, dict) else None
        return Read(answer, rows_of(answer.body) if answer.ok else [], total if isinstance(total, int) else None)
    # Answered whole (up to `most`): read up to the end of the page asked for, then filter and cut here.
    wanted = None if spec.most is None else min(offset + limit, spec.most)
    answer = await client.get(token, where, limit=wanted, **({} if spec.local else how.values))
    if not answer.ok:
        return Read(answer, [], None)
    rows = rows_of(answer.body)
    whole = wanted is None or len(rows) < wanted  # the API had no more than it gave
    if spec.local:
        rows = [row for row in rows if all(str(row.get(k, "")) == v for k, v in how.values.items())]
    return Read(answer, rows[offset:offset + limit], len(rows) if whole else None)


async def read_all(client: ApiClient, token: str, spec: WorkList, code: str, how: Chosen) -> Read:
    """The whole list (up to EXPORT_MAX rows) for an export, read page by page as the pages are."""
    step = spec.most or EXPORT_MAX
    if not spec.paged:
        return await read(client, token, spec, code, how, 0, step)
    rows: list[dict] = []
    while len(rows) < EXPORT_MAX:
        found = await read(client, token, spec, code, how, len(rows), min(step, EXPORT_MAX - len(rows)))
        if not found.answer.ok:
            return found
        rows += found.rows
        done = found.total is not None and len(rows) >= found.total
        if done or len(found.rows) < step:
            break
    return Read(found.answer, rows, len(rows))


def filter_choices(spec: WorkList, t: Translator) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each filter with its values, named in the page's language."""
    def named(name: str, value: str) -> str:
        if name == "tier":
            return t.gettext(f"tier.{value}")
        return t.label(f"rule.{value}" if name == "rule" else f"opt.{name}.{value}", value)
    return [(name, [(value, named(name, value)) for value in allowed]) for name, allowed in spec.filters]


def file_table(rows: list[dict], t: Translator) -> tuple[list[str], list[list]]:
    """Headers (in the page's language) and lines of a list for its file: numbers stay numbers,
    tiers are named, lists and nested values are written as the page writes them."""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]

    def value(key: str, v: object) -> object:
        if key in TIER_FIELDS and v in TIER_ORDER:
            return t.gettext(f"tier.{v}")
        if isinstance(v, dict) and "name" in v:  # a person named for roles that see names: her name
            return v["name"] or ""
        if isinstance(v, list) and v and all(isinstance(x, dict) and "name" in x for x in v):
            return "、".join(x["name"] or "" for x in v)
        if v is None or isinstance(v, int | float) and not isinstance(v, bool):
            return "" if v is None else v
        return cell(v, t)

    return ([t.label(f"col.{key}", key) for key in columns],
            [[value(key, row.get(key)) for key in columns] for row in rows])
