"""The file_records read model on SQLite and PostgreSQL, from the read-model tests' programme: each
person's pairs (a child in three, a volunteer in two), a child's wishes, a concern raised about her,
each once (test_projections applies every read model's batches again and finds nothing changed)."""

from __future__ import annotations

from services.projections.file_records import records_of
from tests.log.projection_cases import PROGRAMME, catch_up, running, send
from tests.log.test_projections import projector, read_db  # noqa: F401  (both backends)


async def records(read_db, person_id: str) -> list[tuple[str, str]]:  # noqa: F811
    async with read_db.connect() as conn:
        return [(row["kind"], row["record_id"]) for row in await records_of(conn, person_id)]


async def test_a_file_finds_a_persons_pairs_wishes_and_concerns(deps, event_log, projector, read_db) -> None:  # noqa: F811
    raise_concern = ("raise_concern", {"concern_id": "k-1", "child_id": "c-hz-3", "kind": "safety",
                                       "raised_on": "2026-05-20", "note": "放学后独自在家"})
    async with running(projector):
        await send(deps, [*PROGRAMME, raise_concern])
        await catch_up(projector, event_log)
    assert await records(read_db, "c-hz-1") == [("pair", "p-hz-1"), ("pair", "p-hz-2"), ("pair", "p-hz-3"),
                                                ("wish", "w-1")]
    assert sorted(await records(read_db, "c-hz-3")) == [("concern", "k-1"), ("pair", "p-hz-3"), ("wish", "w-2")]
    assert await records(read_db, "v-hz") == [("pair", "p-hz-1"), ("pair", "p-hz-3")]  # an ended pair stays
    assert await records(read_db, "nobody") == []
