"""The dashboard reads through the API itself, in process, with the signed-in operator's own token:
the same routes, the same scope checks, the same access log as any other client — the dashboard
has no reading rights of its own. The token lives in an HttpOnly, SameSite=Strict cookie whose life
is the token's; the browser's scripts never see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request, routing
from fastapi.responses import Response

SESSION = "aixin_session"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("message") or self.body.get("detail") or self.status)
        return str(self.status)


class ApiClient:
    """Calls the API application directly (no socket), as whoever's token it is given."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self._http = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://aixin-dashboard")

    def has(self, path: str) -> bool:
        """Whether the running API serves `path` (a template such as /regions/{code}/stats). Read
        from the routes, not the OpenAPI document: building that took a second or more on the first
        page after a start (FastAPI's own document walks the routes so, included routers and all)."""
        return any(route.path == path for route in routing.iter_route_contexts(self.api.routes))

    async def get(self, token: str | None, path: str, **params: Any) -> Answer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        reply = await self._http.get(path, params={k: v for k, v in params.items() if v is not None},
                                     headers=headers)
        return Answer(reply.status_code, _json(reply))

    async def download(self, token: str, path: str, **params: Any) -> httpx.Response:
        """A file the API writes (a report), as it sends it: its bytes and headers."""
        return await self._http.get(path, params={k: v for k, v in params.items() if v is not None},
                                    headers={"Authorization": f"Bearer {token}"})

    async def post(self, token: str, path: str, body: dict[str, Any]) -> Answer:
        """A command, as the operator whose token it is (the API names her the actor)."""
        reply = await self._http.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        return Answer(reply.status_code, _json(reply))

    async def sign_in(self, username: str, password: str) -> Answer:
        reply = await self._http.post("/auth/token", data={"username": username, "password": password})
        return Answer(reply.status_code, _json(reply) | {"retry_after": reply.headers.get("retry-after")})


async def api_client(request: Request) -> ApiClient:
    """The client `add_dashboard` set on the app: the dashboard's one way to the API."""
    return request.app.state.dashboard


Client = Annotated[ApiClient, Depends(api_client)]


def _json(reply: httpx.Response) -> Any:
    try:
        return reply.json()
    except ValueError:
        return {}


def token_of(request: Request) -> str | None:
    return request.cookies.get(SESSION) or None


def keep_session(response: Response, request: Request, token: str, seconds: int) -> None:
    response.set_cookie(SESSION, token, max_age=seconds, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION, path="/", httponly=True, samesite="strict")
