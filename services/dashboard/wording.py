"""An event of a file told as a sentence, with no I/O: 「2026-05-03 吴妈妈 电话联系 20 分钟」.

Each event type has a sentence in each language (`file.says.<EventType>` in translations/
<lang>.files.json) whose placeholders are the event's own fields, worded: an enum by its word
(`enum.<EnumClass>.<value>`, the class read from the event's contract, so no raw value such as
`depression_signs` reaches a page), a day as it is, a place by its name, a child or a volunteer by
name (for roles that may read names; else by what she is, 「儿童」, 「志愿者」). Free text (a note, a
reason, an item) is not part of the sentence: it is shown below it, as written, where the role may
read it."""

from __future__ import annotations

import enum
import re
import typing
from typing import Any

from contracts.registry import event_types
from contracts.regions import FederationLevel, InvalidRegion, parse_region, region_name
from services.dashboard.i18n import Translator

EVENT_TYPES = event_types()
# Free text an event may carry about a person, shown under its sentence to a role that may read it.
FREE_TEXT = ("reason", "note", "notes", "item", "given_by", "donor", "details", "certification")
HIDDEN = ("<sealed>", "<withheld>")  # what GET /history shows a role that may not read a value
PLACE_FIELDS = ("region", "from_region", "to_region", "nominated_by", "awarded_by", "declined_by")
DAY_FIELDS = ("visited_on", "held_on", "raised_on", "referred_on", "followed_up_on", "closed_on", "surveyed_on",
              "given_on", "withdrawn_on", "exited_on", "formed_on", "completed_on", "certified_on", "nominated_on",
              "awarded_on", "declined_on", "joined_on", "moved_on", "left_on",
              # the business days of the events that start, change or end something (a move's before
              # the day its file was first registered, which a transfer also carries)
              "transferred_on", "ended_on", "approved_on", "proposed_on", "allocated_on", "released_on",
              "received_on", "delivered_on", "fulfilled_on", "cancelled_on", "pledged_on", "submitted_on",
              "assessed_on", "opened_on", "registered_on", "recruited_on")


class Missing(dict):
    """A sentence's fields: a placeholder the event does not fill is left empty, not an error."""

    def __missing__(self, key: str) -> str:
        return ""


def enum_of(event_type: str, field: str) -> type[enum.Enum] | None:
    """The enum a field of an event type holds (alone, optional, or in a tuple), if any."""
    cls = EVENT_TYPES.get(event_type)
    info = cls.model_fields.get(field) if cls else None
    return _enum_in(info.annotation) if info else None


def _enum_in(annotation: Any) -> type[enum.Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    return next((found for arg in typing.get_args(annotation) if (found := _enum_in(arg))), None)


def word(t: Translator, enum_name: str, value: object) -> str:
    """An enum's value as a word of the page's language (its raw value only if the catalog lacks it,
    which the catalog's test does not let happen)."""
    return t.label(f"enum.{enum_name}.{value}", str(value))


def place(code: object, t: Translator) -> str:
    """A division by its names from the county down (海珠区 素社街道 素社社区), never a bare code."""
    try:
        region = parse_region(str(code))
    except InvalidRegion:
        return str(code)
    if region.level is FederationLevel.national:
        return t.gettext("level.national")
    chain = [r for r in region.ancestors() if r.level.value in ("district", "street", "community")] or [region]
    return " ".join(region_name(r) for r in chain)


def names(ids: object, known: dict[str, str], t: Translator, someone: str) -> str:
    """People by name where the page has their names, else by what they are."""
    listed = [i for i in (ids if isinstance(ids, list | tuple) else [ids]) if isinstance(i, str)]
    if not listed:
        return ""
    named = [known[i] for i in listed if i in known]
    if len(named) < len(listed):
        return t.gettext("file.and").join(named) if named else t.gettext(f"file.someone.{someone}")
    return t.gettext("file.and").join(named)


def day_of(event: dict) -> str:
    """The day the event tells of (a visit's day, a concern's day…), else the day it was recorded."""
    data = event.get("data") or {}
    found = next((data[f] for f in DAY_FIELDS if isinstance(data.get(f), str)), None)
    return found or str(event.get("occurred_at", ""))[:10]


def fields(event: dict, t: Translator, people: dict[str, dict[str, str]]) -> Missing:
    """The event's fields worded for its sentence; `people`: {"children": {id: name}, "volunteers": …}."""
    kind, data = str(event.get("event_type", "")), event.get("data") or {}
    out = Missing(day=day_of(event))
    for key, value in data.items():
        if isinstance(value, str) and value in HIDDEN or key in FREE_TEXT:
            continue
        found = enum_of(kind, key)
        if found is not None and value is not None:
            values = value if isinstance(value, list | tuple) else [value]
            out[key] = t.gettext("file.and").join(word(t, found.__name__, v) for v in values)
        elif key in PLACE_FIELDS:
            out[key] = place(value, t)
        elif key == "year":  # 2026, never "2,026"
            out[key] = str(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = t.number(value)
        elif isinstance(value, str) and not key.endswith("_id"):
            out[key] = value
    children, volunteers = people.get("children", {}), people.get("volunteers", {})
    out["child"] = names(data.get("child_ids") or data.get("child_id"), children, t, "child")
    out["volunteers"] = names(data.get("volunteer_ids") or data.get("volunteer_id") or people.get("pair_volunteers"),
                              volunteers, t, "volunteer")
    return out


def sentence(event: dict, t: Translator, people: dict[str, Any]) -> str:
    """The event as one sentence in the page's language; an event type without one (a newer
    contract) is told by its label and day."""
    kind = str(event.get("event_type", ""))
    template = t.label(f"file.says.{kind}", "")
    told = fields(event, t, people)
    if not template:
        return f"{told['day']} {t.event(kind)}"
    return tidy(template.format_map(told))


def tidy(text: str) -> str:
    """A sentence whose empty placeholders left gaps: no double space, none before a comma or a
    closing bracket, no empty brackets."""
    text = " ".join(re.sub(r"[（(]\s*[）)]", "", text).split())
    return re.sub(r"\s+([，,、）)：:])", r"\1", text).strip(" ，,")


def free_text(event: dict, t: Translator) -> list[tuple[str, str]]:
    """(label, text) of each piece of free text the event carries and the role may read."""
    shown = []
    for key in FREE_TEXT:
        value = (event.get("data") or {}).get(key)
        if key == "reason" and enum_of(str(event.get("event_type")), key):
            continue  # a reason from a closed list is worded in the sentence
        if isinstance(value, dict):
            value = "，".join(str(v) for v in value.values() if v)
        if isinstance(value, str) and value and value not in HIDDEN:
            shown.append((t.gettext(f"file.text.{key}"), value))
    return shown
