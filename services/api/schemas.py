"""What each read answers, for the OpenAPI: one model per GET. Each names the fields every answer
holds (and the ones some answers hold, optional); rows stay objects whose fields the read model
decides. A route declares its model with `**read(Model)`: answers are shaped by it, unset fields
left out and other fields kept, so the JSON sent is what the route returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

Row = dict[str, Any]


def read(model: type[BaseModel]) -> dict[str, Any]:
    """A GET route's response model, leaving out what the route did not set."""
    return {"response_model": model, "response_model_exclude_unset": True}


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Me(Answer):
    username: str
    office: str
    level: str
    roles: list[str]


class Accounts(Answer):
    office: str
    accounts: list[Row]


class AccessLog(Answer):
    office: str
    entries: list[Row]


class Health(Answer):
    status: str
    nats: bool | None = None
    stream_last_seq: int | None = None
    down: list[str] | None = None
    reason: str | None = None


class Suggestions(Answer):
    region: str
    child_id: str
    child_name: str | None = None
    child: Row | None = None  # where she lives, her tier, needs and consent (sex and age with her name)
    candidates: list[Row]


class UnpairedChildren(Answer):
    region: str
    total: int
    offset: int
    named: bool  # whether the caller's role sees names (else ids only)
    children: list[Row]


class ProposalReasons(Answer):
    region: str
    offset: int
    proposals: list[Row]


class BatchProposal(Answer):
    proposals: list[Row]
    unmatched: list[Row]
    set_aside: list[Row]
    children: int
    volunteers: int
    seconds: float


class Pools(Answer):
    volunteers: list[Row] | None = None


class RematchQueue(Answer):
    region: str
    children: list[Row]


class PairMembers(Answer):
    pair_id: str
    region: str
    mode: Any
    status: Any
    children: list[Row]
    volunteers: list[Row]


class PairModes(Answer):
    region: str
    level: str
    modes: Any


class Proposals(Answer):
    region: str
    offset: int
    proposals: list[Row]


class RegionFigures(Answer):
    region: str
    level: str
    name: str
    as_of: str
    compliance: Row
    subregions: list[Row]


class RegionSeries(Answer):
    region: str
    level: str
    name: str
    year: int
    as_of: str
    months: list[Row]


class ServiceHours(Answer):
    region: str
    level: str
    name: str
    by: str
    holders: list[Row]


class RegionChildren(Answer):
    region: str
    total: int
    offset: int
    children: list[Row]


class PeopleFound(Answer):
    region: str
    kind: str
    q: str
    complete: bool
    people: list[Row]


class ChildOnFile(Answer):
    child_id: str
    region: str
    name: Any = None


class History(Answer):
    aggregate_type: str
    aggregate_id: str
    events: list[Row]


class PairCompliance(Answer):
    pairs: list[Row]


class FundStatement(Answer):
    region: str


class GiftPacks(Answer):
    region: str


class Concerns(Answer):
    region: str
    concerns: list[Row]


class Unreadable(Answer):
    office: str
    unreadable: list[Row]


class Parked(Answer):
    office: str
    parked: Any


class PlacesToComplete(Answer):
    region: str
    total: int
    children: list[Row]


class WorkQueue(Answer):
    region: str
    total: int
    offset: int


class Bulletin(Answer):
    region: str
    month: str
    judged_on: str
    thresholds: dict[str, int]
    thresholds_of: str | None
    counts: dict[str, int]
    rows: list[Row]
