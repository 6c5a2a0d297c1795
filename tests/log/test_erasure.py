"""Deletion on request: after erasure no key can open the child's or guardian's particulars, in
the log or in any read model, and the erasure itself stands in the child's history."""

from __future__ import annotations

from services.projections import all_projections
from services.projections.children_directory import children_in
from services.shared.follower.projector import Projector
from services.shared.db import make_engine
from contracts.privacy import ERASED
from contracts.regions import parse_region
from contracts.replies import ErrorCode
from tests.log.test_commands import CHILD, error_of, ok, send


async def test_erased_particulars_cannot_be_read_anywhere(deps, event_log, tmp_path) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    await ok(deps, "erase_child_data", child_id=child_id, requested_by="guardian")
    retried = await ok(deps, "erase_child_data", command_id="erase-1", child_id=child_id, requested_by="guardian")
    assert (await ok(deps, "erase_child_data", command_id="erase-1", child_id=child_id,
                     requested_by="guardian"))["duplicate"] is True
    assert retried["duplicate"] is False

    history = await event_log.load("child", child_id)
    registered = history.events[0].event
    assert history.events[1].envelope.event_type == "ChildPersonalDataErased"
    assert await deps.keys.unseal(registered.personal) is None
    assert await deps.keys.unseal(registered.guardian) is None

    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    projector = Projector(event_log, db, all_projections())
    await projector.create_schema()
    async for batch in event_log.batches(1, until_seq=await event_log.last_sequence()):
        await projector._apply_batch(batch)
    async with db.connect() as conn:
        [row] = await children_in(conn, deps.keys, parse_region(CHILD["region"]))
    await db.dispose()
    assert row["name"] == ERASED

    refused = await send(deps, "survey_needs", child_id=child_id, needs=["other"], notes="新的记录",
                         surveyed_on="2026-05-01")
    assert error_of(refused)[0] is ErrorCode.rule_violated
    assert "erased" in refused.error.message
