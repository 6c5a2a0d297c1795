"""Live figures: a server-sent event stream per region page. It polls the event log's position (a
cheap read) and, when the log has moved, re-reads the region's figures (and the year's monthly
series) through the API with the operator's token, sending the numbers, the cards' changes on the
previous month and the charts' data that changed, already formatted for her language. When the
token expires the stream says so and ends; the page then offers to sign in again. A stream ends
after LIFETIME seconds (the browser reconnects by itself and is sent every figure afresh), so that
an open page never holds up a server that is stopping for long."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from services.dashboard.client import Client, token_of
from services.dashboard.reads import month_before, year_series
from services.dashboard.render import translator
from services.dashboard.view import live_values

Position = Callable[[], Awaitable[int | None]]
LIFETIME = 60.0
router = APIRouter(include_in_schema=False)


@router.get("/live/{code}")
async def live(request: Request, client: Client, code: str) -> Response:
    token = token_of(request)
    if not token:
        return Response(status_code=401)
    first = await client.get(token, f"/regions/{code}/stats")
    if not first.ok:
        return Response(status_code=first.status)
    t = translator(request)

    async def values(stats: dict) -> dict[str, object]:
        # The month-end figures are re-read with the figures (an event recorded late may move
        # them too), so that a card's change always reads as a reload of the page would show it.
        before = await month_before(client, token, code, stats)
        return live_values(stats, t, before, await year_series(client, token, code))

    async def figures() -> dict[str, object] | None:
        answer = await client.get(token, f"/regions/{code}/stats")
        return await values(answer.body) if answer.ok else None

    shown = await values(first.body)
    position, interval = request.app.state.live  # set by add_dashboard
    stream = changes(shown, figures, position, interval, request.is_disconnected)
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def changes(shown: dict[str, object], figures: Callable[[], Awaitable[dict[str, object] | None]],
                  position: Position | None, interval: float,
                  gone: Callable[[], Awaitable[bool]], lifetime: float = LIFETIME) -> AsyncIterator[str]:
    """SSE lines: every figure at first, then a `figures` event with what changed; `expired` when
    reading fails (the token has run out or the account was disabled); a comment on quiet ticks."""
    yield "retry: 3000\n\n"
    yield f"event: figures\ndata: {json.dumps(shown, ensure_ascii=False)}\n\n"
    last = await position() if position else None
    quiet, ticks = 0, max(1, int(lifetime / interval)) if interval > 0 else 1000
    for _ in range(ticks):
        if await gone():
            return
        await asyncio.sleep(interval)
        now = await position() if position else None
        if position is not None and now == last and quiet < 5:
            quiet += 1
            yield ": idle\n\n"
            continue
        last, quiet = now, 0  # re-read at least every few ticks: read models trail the log
        found = await figures()
        if found is None:
            yield "event: expired\ndata: {}\n\n"
            return
        changed = {k: v for k, v in found.items() if shown.get(k) != v}
        if changed:
            shown = found
            yield f"event: figures\ndata: {json.dumps(changed, ensure_ascii=False)}\n\n"
