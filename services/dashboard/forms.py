"""The everyday forms (register a child, log a visit, raise a concern, submit a wish) and the
approvers' decisions, with no I/O: which command each form sends, its fields (choices from the
contract's enums), the body sent from what was typed, and the API's refusal turned into messages
next to the fields (each detail's `loc` names its field) and one for the form, in the page's
language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from contracts.activity.care import VisitKind
from contracts.activity.wishes import WishCategory
from contracts.activity.concerns import ConcernKind, RiskTier
from contracts.intake.registration import ChildCategory, Sex
from contracts.pairing.matching import ProposalDropReason
from services.dashboard.i18n import Translator


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"  # text, date, number, select, textarea
    required: bool = True
    choices: tuple[str, ...] = ()

    @staticmethod
    def pick(name: str, enum: type[StrEnum], required: bool = True) -> Field:
        return Field(name, "select", required, tuple(member.value for member in enum))


@dataclass(frozen=True)
class Form:
    name: str  # the form's path and the key of its labels
    command: str  # /commands/<context>/<name>
    fields: tuple[Field, ...]
    created: str  # the field naming what the command created, for the notice


FORMS = {form.name: form for form in (
    Form("register-child", "/commands/intake/register_child", (
        Field("name"), Field.pick("sex", Sex), Field("birth_date", "date"), Field.pick("category", ChildCategory),
        Field("region"), Field("id_number", required=False), Field("child_id", required=False),
        Field("registered_on", "date", required=False)), "child_id"),
    Form("log-visit", "/commands/activity/log_visit", (
        Field("pair_id"), Field.pick("kind", VisitKind), Field("visited_on", "date"),
        Field("duration_minutes", "number"), Field("note", "textarea", required=False)), "visit_id"),
    Form("raise-concern", "/commands/activity/raise_concern", (
        Field("child_id"), Field.pick("kind", ConcernKind), Field("raised_on", "date"),
        Field("note", "textarea"), Field.pick("tier", RiskTier, required=False)), "concern_id"),
    Form("submit-wish", "/commands/activity/submit_wish", (
        Field("child_id"), Field("item"), Field.pick("category", WishCategory),
        Field("estimated_cost_yuan", "number")), "wish_id"),
)}
REJECT_REASONS = tuple(reason.value for reason in ProposalDropReason)
# The pydantic messages operators meet most, by how they begin -> catalog key.
MESSAGES = (("Field required", "invalid.missing"), ("String should match pattern", "invalid.pattern"),
            ("Input should be a valid date", "invalid.date"), ("Input should be a valid number", "invalid.number"),
            ("Input should be a valid integer", "invalid.number"),
            ("Input should be greater than", "invalid.too_small"), ("Input should be less than", "invalid.too_large"),
            ("String should have at most", "invalid.too_long"), ("String should have at least", "invalid.missing"),
            ("Input should be ", "invalid.choice"), ("check digit is", "invalid.id_check"),
            ("the number gives the birth date", "invalid.id_birth"), ("the number's 17th digit", "invalid.id_sex"))
PHRASES = ((" is in the future", "invalid.future"), (" is before ", "invalid.too_early"))
# A date refused for coming before a fact: the message names the day it must follow, and so does the page.
BOUNDS = ((re.compile(r"was formed \((\d{4}-\d{2}-\d{2})\)"), "invalid.before_forming"),
          (re.compile(r"was born \((\d{4}-\d{2}-\d{2})\)"), "invalid.before_birth"))
# Service refusals operators meet most, by a phrase of the API's message -> catalog key.
REFUSALS = (("may not approve her own proposal", "refused.own_proposal"), ("needs the role", "refused.role"),
            ("outside", "refused.outside"), ("no such", "refused.unknown"), ("not found", "refused.unknown"),
            ("already", "refused.already"))


def body_of(form: Form, typed: dict[str, str]) -> dict[str, str]:
    """What was typed, trimmed; empty fields left out (the command's defaults then apply). Strings
    throughout: the API reads numbers and dates from them, and says which it cannot."""
    return {f.name: typed[f.name].strip() for f in form.fields if typed.get(f.name, "").strip()}


def field_message(msg: str, t: Translator, field: str | None = None) -> str:
    for pattern, bound in BOUNDS:
        if found := pattern.search(msg):
            return t.gettext(bound, date=found.group(1))
    key = next((key for start, key in MESSAGES if msg.startswith(start)), None) or next(
        (key for phrase, key in PHRASES if phrase in msg), None)
    if key is None:
        return msg
    specific = f"{key}.{field}"  # e.g. invalid.pattern.id_number: what the ID number should look like
    return t.label(specific, "") or t.gettext(key)


def refusal_message(message: str, t: Translator) -> str:
    key = next((key for phrase, key in REFUSALS if phrase in message), None)
    return t.gettext(key) if key else t.gettext("refused.other", message=message)


def errors_of(status: int, body: object, names: tuple[str, ...], t: Translator) -> tuple[dict[str, str], str | None]:
    """(messages by field name, a message for the form): each detail whose loc is [<field>, …] (or
    ["body", <field>, …]) goes to its field, the rest to the form; other refusals (403, 409…) to the form."""
    body = body if isinstance(body, dict) else {}
    by_field: dict[str, str] = {}
    general: list[str] = []
    if status == 422:
        for detail in body.get("details") or []:
            loc, msg = list(detail.get("loc") or []), str(detail.get("msg", ""))
            if loc[:1] == ["body"]:  # FastAPI's own checks; a service's name the field alone
                loc = loc[1:]
            field = loc[0] if loc else None
            if field in names:
                by_field.setdefault(field, field_message(msg, t, field))
            else:
                general.append(field_message(msg, t))
        if not by_field and not general:
            general.append(refusal_message(str(body.get("message", status)), t))
    else:
        general.append(refusal_message(str(body.get("message") or body.get("detail") or status), t))
    return by_field, ("；" if t.lang == "zh-CN" else "; ").join(general) or None


def created_id(body: object, form: Form) -> str | None:
    """The id of what the command created, from the first event of its reply."""
    events = body.get("events") if isinstance(body, dict) else None
    first = events[0] if isinstance(events, list) and events and isinstance(events[0], dict) else {}
    data = first.get("data") if isinstance(first.get("data"), dict) else {}
    found = data.get(form.created) or first.get("aggregate_id")
    return str(found) if found else None
