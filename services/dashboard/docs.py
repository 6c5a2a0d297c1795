"""/docs with Swagger UI from the assets vendored in static/vendor/swagger-ui-dist (see vendor.py):
the page works offline, nothing is fetched from a CDN. Its one inline script (Swagger UI's start)
is allowed by its hash in the page's content security policy; no other inline script runs."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from services.api.headers import csp_with_scripts

ASSETS = "/static/vendor/swagger-ui-dist"
REDIRECT = "/docs/oauth2-redirect"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def with_script_hashes(page: HTMLResponse) -> HTMLResponse:
    """`page` with a policy allowing exactly its inline scripts, by their sha256."""
    hashes = [base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
              for script in INLINE_SCRIPT.findall(page.body.decode())]
    page.headers["Content-Security-Policy"] = csp_with_scripts(*hashes)
    return page


def add_docs(api: FastAPI, docs_url: str = "/docs") -> None:
    @api.get(docs_url, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return with_script_hashes(get_swagger_ui_html(
            openapi_url=api.openapi_url or "/openapi.json", title=f"{api.title} – API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png", oauth2_redirect_url=REDIRECT))

    @api.get(REDIRECT, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return with_script_hashes(get_swagger_ui_oauth2_redirect_html())
