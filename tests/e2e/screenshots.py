"""Where the browser tests keep their screenshots, and how a page is photographed in both languages.

Pictures go under the test's own temporary folder, or, when AIXIN_SCREENSHOTS names a folder, under
it (one subfolder per test), so that a run's pictures can be kept and looked at after the temporary
folders are gone."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Page

from services.dashboard.i18n import COOKIE

OTHER = {"zh-CN": "en", "en": "zh-CN"}


def screenshot_folder(tmp_path: Path) -> Path:
    kept = os.environ.get("AIXIN_SCREENSHOTS")
    folder = Path(kept) / tmp_path.name if kept else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def photograph(page: Page, folder: Path, name: str, *, twin: bool = True) -> Path:
    """`name`.png as the page stands, and, with `twin`, `name`.<other language>.png: the same
    address opened in the other language beside it (the page itself is left as it was). A page that
    is the answer to a POST (a refused form) has no address of its own to open again: no twin."""
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    if twin:
        lang = await page.locator("html").get_attribute("lang") or "zh-CN"
        twin_path = folder / f"{name}.{OTHER[lang]}.png"
        await _in_language(page, OTHER[lang], twin_path)
        print(f"screenshot: {twin_path}")
    return path


async def _in_language(page: Page, lang: str, path: Path) -> None:
    """`page`'s address in a page of its own in `lang` (the language cookie set for it, and put back)."""
    context, origin = page.context, page.url.split("/", 3)[:3]
    url = "/".join(origin)
    await context.add_cookies([{"name": COOKIE, "value": lang, "url": url}])
    other = await context.new_page()
    try:
        await other.set_viewport_size(page.viewport_size or {"width": 1366, "height": 900})
        await other.goto(page.url)
        await other.screenshot(path=str(path), full_page=True)
    finally:
        await other.close()
        await context.add_cookies([{"name": COOKIE, "value": OTHER[lang], "url": url}])
