"""The forms' pure parts: the body sent from what was typed, and the API's refusals turned into
messages next to the fields (FastAPI's loc ["body", field] and a service's [field]) or for the
form, in Chinese by default; every label a form shows is in both catalogs."""

from __future__ import annotations

from services.dashboard.forms import FORMS, REJECT_REASONS, body_of, created_id, errors_of
from services.dashboard.i18n import Translator, catalog

ZH, EN = Translator("zh-CN"), Translator("en")
CHILD = FORMS["register-child"]
NAMES = tuple(f.name for f in CHILD.fields)


def test_the_body_is_what_was_typed_trimmed_without_empty_fields_or_strangers() -> None:
    typed = {"name": " 周小雪 ", "sex": "female", "id_number": "", "actor": "n-admin", "region": "440105001101"}
    assert body_of(CHILD, typed) == {"name": "周小雪", "sex": "female", "region": "440105001101"}


def test_validation_messages_go_next_to_their_fields_in_chinese() -> None:
    body = {"code": "invalid", "message": "…", "details": [
        {"loc": ["body", "id_number"], "msg": "String should match pattern '^[0-9]{17}[0-9Xx]$'"},
        {"loc": ["body", "birth_date"], "msg": "Field required"},
        {"loc": ["body", "grade"], "msg": "Something odd"}]}
    fields, general = errors_of(422, body, NAMES, ZH)
    assert fields == {"id_number": "身份证号应为18位：17位数字加1位数字或X。", "birth_date": "此项必填。"}
    assert general == "Something odd"
    service = {"code": "invalid", "message": "id_number: check digit is 2, the first 17 digits give 1",
               "details": [{"loc": ["id_number"], "msg": "check digit is 2, the first 17 digits give 1"}]}
    assert errors_of(422, service, NAMES, ZH) == ({"id_number": "身份证号校验位不正确，请核对。"}, None)
    assert errors_of(422, body, NAMES, EN)[0]["birth_date"] == "This field is required."


def test_refusals_are_said_for_the_form() -> None:
    own = {"code": "rule_violated", "message": "pair P-1 was proposed by operator a, who may not approve her own proposal"}
    assert errors_of(409, own, (), ZH) == ({}, "提议人不能审批自己提出的结对，请由另一位审批人审批。")
    assert errors_of(503, {"message": "the pairing service is not answering"}, (), ZH)[1] == (
        "未能办理：the pairing service is not answering")


def test_the_created_id_comes_from_the_reply() -> None:
    reply = {"events": [{"event_type": "ChildRegistered", "aggregate_id": "c-1", "data": {"child_id": "c-1"}}]}
    assert created_id(reply, CHILD) == "c-1" and created_id({}, CHILD) is None


def test_every_label_a_form_shows_is_in_the_catalogs() -> None:
    keys = {f"form.{name}" for name in FORMS} | {f"reason.{r}" for r in REJECT_REASONS}
    for form in FORMS.values():
        keys |= {f"field.{f.name}" for f in form.fields}
        keys |= {f"opt.{f.name}.{choice}" for f in form.fields for choice in f.choices}
    for lang in ("zh-CN", "en"):
        assert keys - catalog(lang).keys() == set(), lang
