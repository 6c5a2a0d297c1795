"""The dashboard's catalogs: each page area keeps its words in a file of its own; a key written in
two files would show whichever file sorts last, so a key lives in one file only, and both languages
know the same keys."""

import json

from services.dashboard.i18n import CATALOGS, LANGUAGES, catalog


def test_no_key_is_written_in_two_files_of_a_language() -> None:
    for lang in LANGUAGES:
        seen: dict[str, str] = {}
        for path in [CATALOGS / f"{lang}.json", *sorted(CATALOGS.glob(f"{lang}.*.json"))]:
            for key in json.loads(path.read_text(encoding="utf-8")):
                assert key not in seen, f"{key!r} is in both {seen[key]} and {path.name}"
                seen[key] = path.name


def test_both_languages_know_the_same_keys() -> None:
    chinese, english = catalog("zh-CN").keys(), catalog("en").keys()
    assert sorted(chinese - english) == [], "keys with no English text"
    assert sorted(english - chinese) == [], "keys with no Chinese text"
