"""What `pip install .` puts in the wheel: every file the product reads beside its code (templates,
catalogs, schemas, static files) matches a package-data pattern of pyproject.toml, or an installed
platform would answer 500 for it (the favicon did) while an editable install of the repository
serves it."""

from __future__ import annotations

import subprocess
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_of_the_packages_is_installed() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    tracked = subprocess.run(["git", "ls-files", "contracts", "services", "tooling"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    left_out = []
    for name in tracked:
        if name.endswith(".py"):
            continue
        installed = False
        for package, globs in patterns.items():
            prefix = package.replace(".", "/") + "/"
            inside = name[len(prefix):] if name.startswith(prefix) else None
            if inside is not None and any(fnmatch(inside, g) or fnmatch(inside, g.replace("**/", "")) for g in globs):
                installed = True
        if not installed:
            left_out.append(name)
    assert left_out == []
