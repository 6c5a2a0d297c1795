"""Every read is documented: each GET of the OpenAPI names the shape of its answer (a schema with
its fields), or, for a file it downloads, the media types it sends."""

from __future__ import annotations

from types import SimpleNamespace

from services.platform.web import create_app


def test_every_get_declares_what_it_answers() -> None:
    app = create_app(SimpleNamespace(max_payload=1 << 20, is_connected=False), SimpleNamespace(last_sequence=None),
                     None, None)
    undeclared = []
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        content = operations["get"]["responses"].get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        declared = schema is not None and ("$ref" in schema or schema.get("properties"))
        files = bool(content) and "application/json" not in content  # a download names its media types
        if not (declared or files):
            undeclared.append(path)
    assert undeclared == []
