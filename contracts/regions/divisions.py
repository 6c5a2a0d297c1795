"""The shipped division codes (divisions.zip, built by contracts.regions.build; see SOURCE.md).

Provinces, cities and counties (some 3,400) are read on first use; a city's towns and villages
(41,000 and 620,000 in all) only when one of that city's is asked for, and then kept as one line
of text per town, searched without a Python object per village. Codes here are 12-digit padded.
"""

from __future__ import annotations

import os
import zipfile
from functools import cache
from importlib import resources

ARCHIVE = "divisions.zip"
PLACES = "places.tsv"


def name_of(code: str) -> str | None:
    """The name of a known division, or None."""
    if code[6:] == "000000":
        return _places().get(code)
    line = _towns(code[:4]).get(code[:9])
    if line is None:
        return None
    if code[9:] == "000":
        return line.split("\t", 2)[1]
    return _village_in(line, code[9:])


def children_of(code: str, width: int) -> list[str]:
    """The known divisions directly below `code` (padded), `width` its significant length (0: CN)."""
    if width < 6:
        return _children().get(code[:width], [])
    if width == 6:
        return [town.ljust(12, "0") for town in _towns(code[:4]) if town.startswith(code[:6])]
    line = _towns(code[:4]).get(code[:9])
    return [code[:9] + entry[:3] for entry in line.split("\t")[2:]] if line else []


def villages_of(prefix: str) -> list[str]:
    """Every village code under a significant prefix of 2 to 9 digits (a province reads its cities' members)."""
    cities = [prefix[:4]] if len(prefix) >= 4 else [
        code[:4] for code in _places() if code[2:4] != "00" and code[4:6] == "00" and code.startswith(prefix)]
    return [town + entry[:3]
            for city in cities for town, line in _towns(city).items() if town.startswith(prefix)
            for entry in line.split("\t")[2:]]


def _village_in(line: str, suffix: str) -> str | None:
    # A line is `town<TAB>name<TAB>NNNname…`: past the name, a tab and the suffix open only its village.
    name_end = line.find("\t", 10)
    start = line.find("\t" + suffix, name_end) if name_end >= 0 else -1
    if start < 0:
        return None
    end = line.find("\t", start + 1)
    return line[start + 4: end if end >= 0 else None]


def _read(member: str) -> str:
    try:
        return _archive(os.getpid()).read(member).decode("utf-8")
    except KeyError:
        return ""


@cache
def _archive(pid: int) -> zipfile.ZipFile:
    """The archive, opened once per process (its directory of 343 members takes 10 ms to read); a
    forked child opens its own, so that no two processes share a file position. ZipFile reads are
    safe from several threads."""
    return zipfile.ZipFile(resources.files(__package__).joinpath(ARCHIVE).open("rb"))


@cache
def _places() -> dict[str, str]:
    return {code.ljust(12, "0"): name
            for code, _, name in (line.partition("\t") for line in _read(PLACES).splitlines())
            if not code.startswith("#")}


@cache
def _children() -> dict[str, list[str]]:
    """Significant parent prefix ('' for CN, 2 or 4 digits) -> the padded codes one level below."""
    children: dict[str, list[str]] = {}
    for code in _places():  # sorted by code: each parent's list comes out sorted
        width = 2 if code[2:4] == "00" else 4 if code[4:6] == "00" else 6
        parent = {2: "", 4: code[:2], 6: code[:4]}[width]
        children.setdefault(parent, []).append(code)
    return children


@cache
def _towns(city: str) -> dict[str, str]:
    """The towns of a city (4 digits): code9 -> its line."""
    return {line[:9]: line for line in _read(f"towns/{city}.tsv").splitlines()}
