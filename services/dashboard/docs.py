"""/docs with Swagger UI from the assets vendored in static/vendor/swagger-ui-dist (see vendor.py):
the page works offline, nothing is fetched from a CDN."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

ASSETS = "/static/vendor/swagger-ui-dist"
REDIRECT = "/docs/oauth2-redirect"


def add_docs(api: FastAPI, docs_url: str = "/docs") -> None:
    @api.get(docs_url, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=api.openapi_url or "/openapi.json", title=f"{api.title} – API",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
                                   oauth2_redirect_url=REDIRECT)

    @api.get(REDIRECT, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
