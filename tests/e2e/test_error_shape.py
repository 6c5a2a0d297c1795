"""Every error of the HTTP API has one shape, the services' own — {code, message, details} — whether
FastAPI refused the request (422, 404 and 405 of routing), the API did (401, 403, 413, 429) or a
service did (404, 409, 422 from its reply); and the OpenAPI says so. `detail`, as earlier versions
answered, stays beside them for the CLI's reader (services/cli/client.py)."""

from __future__ import annotations

import httpx

from contracts.accounts import Role
from services.api.app import create_api
from services.shared.db import make_engine
from tests.e2e.test_http_api import CHILD, signed_in_client
from tests.e2e.test_http_api import client  # noqa: F401  (the fixture: signed-in API over nats-server)


def shaped(reply: httpx.Response, status: int, code: str) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert {"code", "message", "details"} <= body.keys(), body
    assert (body["code"], type(body["message"]), type(body["details"])) == (code, str, list), body
    assert all(set(d) == {"loc", "msg"} for d in body["details"]), body
    return body


async def test_fastapis_validation_is_one_sentence_naming_the_first_field_and_every_problem(client) -> None:  # noqa: F811
    wrong = await client.post("/commands/intake/register_child", json={**CHILD, "sex": "x", "birth_date": "soon"})
    body = shaped(wrong, 422, "invalid")
    assert body["message"].startswith("body field 'sex' is invalid: Input should be")
    assert body["message"].endswith("(and 1 more problem, see details)")
    assert [d["loc"] for d in body["details"]] == [["body", "sex"], ["body", "birth_date"]]
    assert body["detail"][0]["loc"] == ["body", "sex"]  # as before, for older readers

    missing = shaped(await client.post("/commands/intake/register_child", json={**CHILD, "name": None} | {}), 422,
                     "invalid")
    assert "body field 'name'" in missing["message"]
    absent = {k: v for k, v in CHILD.items() if k != "region"}
    assert shaped(await client.post("/commands/intake/register_child", json=absent), 422,
                  "invalid")["message"] == "body field 'region' is missing"
    query = shaped(await client.get("/regions/CN/children", params={"limit": 0}), 422, "invalid")
    assert query["message"].startswith("query parameter 'limit' is invalid: Input should be greater than or equal to 1")
    header = shaped(await client.post("/commands/intake/register_child", json=CHILD,
                                      headers={"Idempotency-Key": "k" * 129}), 422, "invalid")
    assert header["details"][0]["loc"] == ["header", "Idempotency-Key"]
    not_json = shaped(await client.post("/commands/intake/register_child", content=b"{not json",
                                        headers={"Content-Type": "application/json"}), 422, "invalid")
    assert not_json["message"].startswith("the body is not valid JSON")


async def test_the_apis_and_the_services_refusals_have_the_same_shape(client) -> None:  # noqa: F811
    anonymous = await client.get("/regions/CN/stats", headers={"Authorization": ""})
    assert shaped(anonymous, 401, "unauthenticated")["message"].startswith("not signed in")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert "needs the role admin" in shaped(await client.get("/accounts"), 403, "forbidden")["message"]
    assert shaped(await client.get("/regions/4x/stats"), 422, "invalid")["message"].startswith("region:")
    assert shaped(await client.get("/history/child/nobody"), 404, "not_found")["message"] == "no child with id nobody"
    shaped(await client.get("/no/such/route"), 404, "not_found")
    shaped(await client.delete("/regions/CN/stats"), 405, "method_not_allowed")

    # A service's reply: its code (not only the status's) and its details.
    region = shaped(await client.post("/commands/intake/register_child", json={**CHILD, "region": "440105999999"}),
                    422, "invalid")
    assert region["details"][0]["loc"] == ["region"] and region["detail"]["code"] == "invalid"
    nobody = shaped(await client.post("/commands/pairing/form_pair", json={"child_ids": ["c"], "volunteer_ids": ["v"]}),
                    404, "not_found")
    assert "volunteer v" in nobody["message"] or "child c" in nobody["message"]

    # The account routes' bodies are declared; a refused one never echoes a password back.
    account = await client.post("/accounts", json={"username": "x", "password": "secret-pw-123"})
    shaped(account, 403, "forbidden")  # she is no admin: refused before the body is read
    for _ in range(5):
        wrong = await client.post("/auth/token", data={"username": "national", "password": "wrong"})
        shaped(wrong, 401, "unauthenticated")
    locked_reply = await client.post("/auth/token", data={"username": "national", "password": "wrong"})
    locked = shaped(locked_reply, 429, "too_many_attempts")
    assert locked["message"] and int(locked_reply.headers["retry-after"]) > 0
    assert (await client.post("/auth/token", data={})).json()["code"] == "invalid"


async def test_a_password_that_is_no_unicode_text_is_422_not_a_500(nc, event_log, deps, tmp_path) -> None:
    # JSON may escape a lone surrogate ("\ud800"); hashing it failed with a 500. Schemathesis never
    # sends one (its strings are always encodable), so this is asked here.
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    api = create_api(nc, event_log, db, deps.keys)
    json_type = {"Content-Type": "application/json"}
    password = b'"\\ud800-secret-password"'
    try:
        async with signed_in_client(api, event_log, tmp_path, roles=(Role.admin,)) as http:
            new = b'{"username": "gd44", "office": "44", "roles": ["viewer"], "password": ' + password + b"}"
            for path, body in (("/accounts", new), ("/accounts/national/password", b'{"password": ' + password + b"}")):
                reply = await http.post(path, content=body, headers=json_type)
                refused = shaped(reply, 422, "invalid")
                assert refused["message"] == ("body field 'password' is invalid: Value error, lone surrogate U+D800 "
                                              "at character 0: not Unicode text"), refused
                assert "secret" not in reply.text  # the password is never echoed
    finally:
        await db.dispose()


async def test_a_body_too_large_for_nats_is_413_in_the_same_shape(client, nc, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(nc, "_max_payload", 1000)
    reply = await client.post("/commands/intake/register_child", json={**CHILD, "name": "x" * 2000})
    assert "larger than 1000 bytes" in shaped(reply, 413, "too_large")["message"]


async def test_the_openapi_documents_the_one_shape(client) -> None:  # noqa: F811
    spec = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert {"code", "message", "details"} <= spec["components"]["schemas"]["ErrorBody"]["properties"].keys()
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    register = spec["paths"]["/commands/intake/register_child"]["post"]["responses"]
    for status in ("422", "4XX", "5XX"):
        assert register[status]["content"]["application/json"]["schema"] == ref, status
    assert "4XX" in spec["paths"]["/auth/me"]["get"]["responses"]  # no input, but a token
    assert "422" not in spec["paths"]["/auth/me"]["get"]["responses"]
    assert "4XX" not in spec["paths"]["/health"]["get"]["responses"]
