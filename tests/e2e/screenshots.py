"""Where the browser tests keep their screenshots: under the test's own temporary folder, or, when
AIXIN_SCREENSHOTS names a folder, under it (one subfolder per test), so that a run's pictures can be
kept and looked at after the temporary folders are gone."""

from __future__ import annotations

import os
from pathlib import Path


def screenshot_folder(tmp_path: Path) -> Path:
    kept = os.environ.get("AIXIN_SCREENSHOTS")
    folder = Path(kept) / tmp_path.name if kept else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
