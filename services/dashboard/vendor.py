"""Vendor the dashboard's browser libraries from the npm registry into static/vendor/ — run by a
maintainer, never at run time: `python -m services.dashboard.vendor` (needs `npm`).

Each package lands in static/vendor/<name>/ with its LICENSE (and NOTICE), and VERSION records the
package, version and the tarball's integrity as npm reported it, so an upgrade is one edit of
PACKAGES and one run. Nothing is fetched by the running platform; the page loads only these files.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"
# npm package -> (version, files taken from its tarball's package/ folder)
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "echarts": ("5.6.0", ("dist/echarts.min.js", "LICENSE", "NOTICE")),
    "swagger-ui-dist": ("5.35.0", ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png",
                                   "LICENSE", "NOTICE")),
}


def vendor(name: str, version: str, files: tuple[str, ...], into: Path = VENDOR) -> Path:
    target = into / name
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        packed = subprocess.run(["npm", "pack", "--json", f"{name}@{version}"], cwd=work, check=True,
                                capture_output=True, text=True)
        info = json.loads(packed.stdout)[0]
        tarball = Path(work) / info["filename"]
        with tarfile.open(tarball) as archive:
            for file in files:
                member = archive.extractfile(f"package/{file}")
                if member is None:
                    raise SystemExit(f"{name}@{version} has no {file}")
                (target / Path(file).name).write_bytes(member.read())
        sha256 = hashlib.sha256(tarball.read_bytes()).hexdigest()
    (target / "VERSION").write_text(f"{name}@{info['version']}\nintegrity {info['integrity']}\n"
                                    f"sha256 {sha256}\nfiles {' '.join(Path(f).name for f in files)}\n")
    return target


def main() -> None:
    wanted = sys.argv[1:] or list(PACKAGES)
    for name in wanted:
        version, files = PACKAGES[name]
        print(f"{name}@{version} -> {vendor(name, version, files)}")


if __name__ == "__main__":
    main()
