"""A person found by name is offered to a form the way the form asks for her: a child's own id, or
each pair she stands in for a form that asks for a pair; nothing to a form that picks someone else."""

from __future__ import annotations

from services.dashboard.find import choices, picking
from services.dashboard.i18n import Translator

ZH = Translator("zh-CN")
CHILD = {"child_id": "c1", "name": "李小花", "region": "440105001101", "pair_ids": ["p1", "p2"]}


def test_a_form_is_offered_the_person_as_its_field_asks() -> None:
    assert (picking("log-visit"), picking("submit-wish"), picking("register-child"), picking("nope")) == (
        "pair_id", "child_id", None, None)
    assert choices(CHILD, "child", "440105", "submit-wish", ZH) == [("选用", "/r/440105/forms/submit-wish?child_id=c1")]
    assert [link for _, link in choices(CHILD, "child", "440105", "log-visit", ZH)] == [
        "/r/440105/forms/log-visit?pair_id=p1&child_id=c1", "/r/440105/forms/log-visit?pair_id=p2&child_id=c1"]
    assert choices({**CHILD, "pair_ids": []}, "child", "440105", "log-visit", ZH) == []  # no pair: no visit
    assert choices({"volunteer_id": "v1", "pair_ids": []}, "volunteer", "440105", "submit-wish", ZH) == []
