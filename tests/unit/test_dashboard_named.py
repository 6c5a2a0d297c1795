"""Work-list rows as an operator reads them: people by name, linked to their pages; places by
village and town; coded values in words; the ids only in the last column, short. A role given no
names sees short ids and the 「仅显示编号」 state."""

from __future__ import annotations

from services.dashboard.i18n import Translator
from services.dashboard.named import named_file, named_table

ZH, EN = Translator("zh-CN"), Translator("en")
PAIR, CHILD, MUM = "0747c1d8620c5976b2f6e02d5619fb44", "76858f01b6905f67842b1a6df06fc524", "141ff266b81c5110ae27b52af44d4b33"
OVERDUE = {"pair_id": PAIR, "region": "440105002114", "child_ids": [CHILD], "last_contact": "2026-04-08",
           "days_overdue": 212, "rule": "contact_overdue",
           "children": [{"child_id": CHILD, "name": "马雨桐"}], "volunteers": [{"volunteer_id": MUM, "name": "吴妈妈"}]}


def test_people_places_and_codes_are_named_and_the_id_is_last_and_short() -> None:
    shown = named_table([OVERDUE], ZH)
    assert shown["columns"][:2] == ["儿童", "爱心妈妈"] and shown["columns"][-1] == "编号"
    cells = {c["key"]: c for c in shown["rows"][0]}
    assert cells["children"]["links"] == [{"text": "马雨桐", "href": f"/child/{CHILD}", "named": True}]
    assert cells["volunteers"]["links"][0]["text"] == "吴妈妈"
    assert cells["region"]["text"] == "半岛社区居委会 · 新港街道"
    assert cells["rule"]["text"] == "逾期未联系"
    assert cells["id"] == {"key": "id", "id": "0747c1d8…", "href": f"/pair/{PAIR}"}
    assert not shown["ids_only"]
    assert not {"pair_id", "child_ids"} & set(cells)


def test_a_concern_kind_is_worded_in_each_language() -> None:
    row = {"concern_id": "k1", "child_id": CHILD, "name": "马雨桐", "kind": "depression_signs"}
    assert {c["key"]: c.get("text") for c in named_table([row], EN)["rows"][0]}["kind"] != "depression_signs"
    assert {c["key"]: c.get("text") for c in named_table([row], ZH)["rows"][0]}["kind"] != "depression_signs"


def test_without_names_the_people_show_by_short_id_and_the_table_says_so() -> None:
    bare = {**OVERDUE, "children": [{"child_id": CHILD}], "volunteers": [{"volunteer_id": MUM}]}
    shown = named_table([bare], ZH)
    cells = {c["key"]: c for c in shown["rows"][0]}
    assert shown["ids_only"] and cells["children"]["links"][0]["text"] == "编号 76858f01…"
    assert not cells["children"]["links"][0]["named"] and cells["children"]["links"][0]["href"] is None
    assert cells["id"]["href"] is None  # her file and her pair's are for the roles that may read names


def test_a_lists_file_reads_as_its_page_with_the_whole_id_last_and_numbers_kept() -> None:
    headers, lines = named_file([OVERDUE], ZH)
    assert headers[:2] == ["儿童", "爱心妈妈"] and headers[-1] == "结对编号"
    assert lines[0][:3] == ["马雨桐", "吴妈妈", "半岛社区居委会 · 新港街道"]
    assert 212 in lines[0] and "逾期未联系" in lines[0] and lines[0][-1] == PAIR
