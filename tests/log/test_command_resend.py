"""A command whose answer does not come is sent once more (on a cluster a service that moved to
another node may not answer what it received before), and whichever answer comes first is taken."""

from __future__ import annotations

import asyncio
import time

from services.api.availability import request_while_connected


async def test_a_command_left_unanswered_is_sent_once_more(nc) -> None:
    received: list[bytes] = []

    async def answer_all_but_the_first(msg) -> None:
        received.append(msg.data)
        if len(received) > 1:
            await msg.respond(b"done")

    await nc.subscribe("aixin.cmd.test.slow", cb=answer_all_but_the_first)
    started = time.monotonic()
    reply = await request_while_connected(nc, "aixin.cmd.test.slow", b'{"command_id": "c-1"}', 5.0,
                                          resend_after=0.5)
    assert reply.data == b"done" and received == [b'{"command_id": "c-1"}'] * 2
    assert 0.5 <= time.monotonic() - started < 2.0


async def test_an_answer_in_time_is_not_sent_again(nc) -> None:
    received: list[bytes] = []

    async def answer(msg) -> None:
        received.append(msg.data)
        await msg.respond(b"done")

    await nc.subscribe("aixin.cmd.test.quick", cb=answer)
    reply = await request_while_connected(nc, "aixin.cmd.test.quick", b"{}", 5.0, resend_after=0.5)
    await asyncio.sleep(1.0)  # past the moment it would have been sent again
    await nc.flush()
    assert reply.data == b"done" and len(received) == 1


async def test_a_command_whose_work_takes_long_is_sent_once(nc) -> None:
    received: list[bytes] = []

    async def answer_late(msg) -> None:
        received.append(msg.data)
        await asyncio.sleep(1.0)
        await msg.respond(b"done")

    await nc.subscribe("aixin.cmd.test.bulk", cb=answer_late)
    reply = await request_while_connected(nc, "aixin.cmd.test.bulk", b"{}", 5.0, resend_after=None)
    assert reply.data == b"done" and len(received) == 1
