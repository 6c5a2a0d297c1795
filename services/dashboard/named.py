"""A work list's rows as an operator reads them, with no I/O: people by name (each a link to her
page), the place by its village and town, every coded value (a rule, a kind, a tier, a category) in
the page's words — and the ids only in the last column, shortened, as links. For a role the API
gives no names (a viewer), the people are shown by a short id, unlinked (their files are for the
roles that may read them), and the page says 「仅显示编号」."""

from __future__ import annotations

from services.dashboard.i18n import Translator
from services.dashboard.pairing_words import village_and_town
from services.dashboard.view import TIER_FIELDS, TIER_ORDER, cell

# A column of people -> (the id each entry carries, her page)
PEOPLE = {"children": ("child_id", "/child/"), "volunteers": ("volunteer_id", "/volunteer/")}
# Ids the people columns already name, or that the last column carries: not columns of their own.
IDS = ("pair_id", "child_id", "concern_id", "reminder_id", "wish_id", "volunteer_id", "proposal_id")
NAMED_ELSEWHERE = {"child_ids", "volunteer_ids", *IDS}
# A coded value -> the catalog key of its words ({} its value).
CODED = {"rule": "rule.{}", "kind": "opt.kind.{}", "category": "opt.category.{}", "mode": "opt.mode.{}",
         "sex": "opt.sex.{}", "subtype": "opt.subtype.{}", "status": "opt.status.{}",
         "reason": "opt.reason.{}", "outcome": "opt.outcome.{}", **{f: "tier.{}" for f in TIER_FIELDS}}
PAGES = {"pair_id": "/pair/", "child_id": "/child/", "volunteer_id": "/volunteer/"}
SHORT = 8  # characters of an id shown: enough to tell records apart on a page, and to say one aloud


def short(identifier: str) -> str:
    return identifier[:SHORT] + "…" if len(identifier) > SHORT + 1 else identifier


def people(row: dict) -> dict[str, list[dict]]:
    """The row's people by column: the API's lists of them, or the one child a row is about."""
    found = {key: row[key] for key in PEOPLE if isinstance(row.get(key), list)}
    if "children" not in found and row.get("child_id") and ("name" in row or "children" not in row):
        found["children"] = [{"child_id": row["child_id"], **({"name": row["name"]} if "name" in row else {})}]
    return found


def person_links(entries: list[dict], column: str, t: Translator) -> list[dict]:
    key, page = PEOPLE[column]
    shown = []
    for entry in entries:
        identifier = str(entry.get(key) or "")
        named = bool(entry.get("name"))  # a file is for the roles that may read her name
        text = entry.get("name") or t.gettext("named.someone", id=short(identifier))
        shown.append({"text": text, "href": page + identifier if identifier and named else None, "named": named})
    return shown


def coded(key: str, value: object, t: Translator) -> str:
    words = CODED[key].format(value)
    return t.label(words, t.label(f"code.{value}", str(value)))


def place(code: object) -> str:
    village, town = village_and_town(str(code))
    return " · ".join(part for part in (village, town) if part) or str(code)


def columns_of(rows: list[dict]) -> list[str]:
    """The columns shown, in the order the rows first have them: a person's column where the rows
    name people, the place, then every other field that is no id."""
    columns: list[str] = []
    for row in rows:
        for key in [*people(row), *row]:
            if key not in columns and key not in NAMED_ELSEWHERE and key != "name":
                columns.append(key)
    return columns


def record_key(row: dict) -> str | None:
    """The field naming what a row is: a pair, else a child, else a concern, reminder or wish."""
    return next((key for key in IDS if isinstance(row.get(key), str) and row[key]), None)


def record_id(row: dict) -> tuple[str, str | None] | None:
    """(id, its page) of what a row is."""
    key = record_key(row)
    return None if key is None else (row[key], PAGES[key] + row[key] if key in PAGES else None)


def named_table(rows: list[dict], t: Translator) -> dict:
    """Columns (named in the page's language) and each row's cells: {text, links, tier, id}."""
    columns = columns_of(rows)
    body, ids_only = [], False
    for row in rows:
        found, cells = people(row), []
        for key in columns:
            value = row.get(key)
            if key in PEOPLE:
                links = person_links(found.get(key, []), key, t)
                ids_only = ids_only or any(not link["named"] for link in links)
                cells.append({"key": key, "links": links})
            elif key in TIER_FIELDS and value in TIER_ORDER:
                cells.append({"key": key, "text": t.gettext(f"tier.{value}"), "tier": value})
            elif key in CODED and isinstance(value, str) and value:
                cells.append({"key": key, "text": coded(key, value, t)})
            elif key in ("region", "county") and value:
                cells.append({"key": key, "text": place(value)})
            else:
                cells.append({"key": key, "text": cell(value, t)})
        ident, unnamed = record_id(row), any(not link["named"] for c in cells for link in c.get("links", ()))
        cells.append({"key": "id", "id": short(ident[0]) if ident else "", "href": ident[1] if ident and not unnamed else None})
        body.append(cells)
    labels = [t.label(f"col.{key}", key) for key in columns] + [t.gettext("named.id_column")]
    return {"columns": labels, "rows": body, "ids_only": ids_only}


def named_file(rows: list[dict], t: Translator) -> tuple[list[str], list[list]]:
    """A list's file (CSV or XLSX) as its page reads: people by name, places, words; numbers kept
    numbers; the ids whole in the last column, where a spreadsheet's reader looks one up."""
    shown, lines = named_table(rows, t), []
    for row, cells in zip(rows, shown["rows"]):
        line: list = []
        for c in cells[:-1]:
            value = row.get(c["key"])
            if "links" in c:
                line.append("、".join(link["text"] for link in c["links"]))
            elif isinstance(value, int | float) and not isinstance(value, bool):
                line.append(value)
            else:
                line.append(c.get("text", ""))
        ident = record_id(row)
        lines.append([*line, ident[0] if ident else ""])
    key = next((key for row in rows if (key := record_key(row))), None)  # the id column named by what it is
    return [*shown["columns"][:-1], t.label(f"col.{key}", shown["columns"][-1]) if key else shown["columns"][-1]], lines
