"""What the HTTP server does before and around every route, without NATS: each route class's body
limit and the token asked for before a body is read (services.api.limits), every body declared in
the OpenAPI, and the security headers on every kind of response (services.api.headers)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.platform.web import create_app
from services.api.headers import SECURITY_HEADERS
from services.accounts.tokens import TokenIssuer
from services.api.limits import ROUTE_CLASSES, route_class

MAX_PAYLOAD = 1 << 20


@pytest.fixture(scope="module")
def api():
    made = create_app(SimpleNamespace(max_payload=MAX_PAYLOAD, is_connected=False),
                      SimpleNamespace(last_sequence=None), None, None)
    made.state.accounts = SimpleNamespace(tokens=TokenIssuer(b"k" * 32))  # tokens checked, no account behind

    @made.get("/failing")
    async def failing() -> None:
        raise RuntimeError("a fault of ours")

    return made


@pytest.fixture(scope="module")
def client(api):
    with TestClient(api, raise_server_exceptions=False) as http:
        yield http


def api_routes(routes) -> list[APIRoute]:
    """Every route, those of included routers too (FastAPI keeps an included router whole)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        found += api_routes(included.routes) if included is not None else [route] if isinstance(route, APIRoute) else []
    return found


def test_every_route_that_takes_a_body_declares_it(api) -> None:
    schema = TestClient(api).get("/openapi.json").json()
    declared = {(path, method.upper()): op for path, ops in schema["paths"].items() for method, op in ops.items()}
    with_body = [r for r in api_routes(api.routes) if r.body_field is not None and r.include_in_schema]
    assert len(with_body) > 30  # the commands, the accounts' changes, signing in (the dashboard's pages are no API)
    for route in with_body:
        for method in route.methods:
            body = declared[(route.path, method)].get("requestBody")
            assert body, f"{method} {route.path} reads a body its OpenAPI does not declare"
            for content in body["content"].values():
                shape = content["schema"]
                assert "$ref" in shape or shape.get("properties"), f"{method} {route.path}: an undeclared body {shape}"
    for path, model in (("/accounts", "NewAccount"), ("/accounts/{username}/roles", "RoleBody"),
                        ("/accounts/{username}/password", "PasswordBody")):
        ref = declared[(path, "POST")]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{model}"


def test_each_route_with_a_body_has_a_class_and_a_limit(api) -> None:
    for route in (r for r in api_routes(api.routes) if r.body_field is not None):
        assert route_class(route.path) in ROUTE_CLASSES, route.path
    assert route_class("/commands/intake/register_child").needs_token
    assert route_class("/accounts/someone/password").needs_token
    assert not route_class("/login").needs_token


@pytest.mark.parametrize("path", ["/accounts", "/accounts/gd44/password", "/accounts/gd44/roles",
                                  "/commands/intake/register_child"])
def test_a_body_without_a_token_is_refused_before_it_is_read(client, path) -> None:
    # Declared 400 MB, sent 10 bytes: answered at once, from the headers alone.
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        reply = client.post(path, content=b"{}" * 5, headers={**headers, "Content-Length": str(400 << 20)})
        assert reply.status_code == 401, (headers, reply.text)
        assert reply.json()["code"] == "unauthenticated" and "the body was not read" in reply.json()["message"]
        assert reply.headers["www-authenticate"] == "Bearer"


def test_a_body_over_its_class_limit_is_413(client) -> None:
    reply = client.post("/login", content=b"x" * (17 * 1024), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 413 and "16384 bytes" in reply.json()["message"]

    def chunks():  # no declared length: counted as it comes
        for _ in range(20):
            yield b"x" * 1024

    reply = client.post("/auth/token", content=chunks())
    assert reply.status_code == 413, reply.text


RESPONSES = {  # a route of each class, and what it answers here (no accounts, no NATS)
    "/docs": 200, "/docs/oauth2-redirect": 200, "/openapi.json": 200, "/asyncapi.json": 200,
    "/static/dashboard.css": 200, "/login": 200, "/": 303, "/regions/44/stats": 401, "/nowhere": 404,
    "/health": 503, "/r/440105": 303, "/lang/en": 303, "/failing": 500,
}


@pytest.mark.parametrize("path", sorted(RESPONSES))
def test_every_response_carries_the_security_headers(client, path) -> None:
    reply = client.get(path, follow_redirects=False)
    assert reply.status_code == RESPONSES[path], reply.text
    for name, value in SECURITY_HEADERS.items():
        if name == "Content-Security-Policy":
            assert "frame-ancestors 'none'" in reply.headers[name] and "default-src 'self'" in reply.headers[name]
        else:
            assert reply.headers[name] == value, (path, name)


def test_the_refusals_before_a_route_carry_them_too(client) -> None:
    for reply in (client.post("/accounts", content=b"{}", headers={"Content-Length": "2"}),
                  client.post("/login", content=b"x" * (17 * 1024))):
        assert reply.status_code in (401, 413)
        assert reply.headers["x-frame-options"] == "DENY" and reply.headers["x-content-type-options"] == "nosniff"


def test_docs_allow_only_their_own_inline_script(client) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert policy.count("'sha256-") == 1
