"""Reading events stored under an older schema version: each upcaster turns the data of one version
of an event type into the data of the next, so that every reader sees the current model only.

An upcaster never invents personal data nor seals any: where an old version stored free text in
plaintext, the text is carried on as a `LegacyPlaintext` (contracts.privacy), which a reader shows as
it is. Upcasters accept data that is already of the next version (a test, or a tool, that stored
current data under an old version number) and leave it as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from contracts.envelope import Envelope

Data = dict[str, Any]
Upcaster = Callable[[Data, Envelope], Data]


def _pair_formed_v1(data: Data, envelope: Envelope) -> Data:
    # v1 had no forming date: the pair was formed when it was recorded.
    return {**data, "formed_on": data.get("formed_on") or envelope.occurred_at.date().isoformat()}


def _recorded_on(*fields: str, **defaults: Any) -> Upcaster:
    """An event of a version without its business day: it happened the day it was recorded."""
    def upcast_day(data: Data, envelope: Envelope) -> Data:
        day = envelope.occurred_at.date().isoformat()
        return {**defaults, **data, **{field: data.get(field) or day for field in fields}}
    return upcast_day


def _plaintext_kept(field: str) -> Upcaster:
    def upcast_field(data: Data, envelope: Envelope) -> Data:
        value = data.get(field)
        return {**data, field: {"plaintext": value}} if isinstance(value, str) else data
    return upcast_field


def _region_of_envelope(data: Data, envelope: Envelope) -> Data:
    # v1 of a membership event (or a tier) was stored on the person's own subject, in her region then.
    return {"region": envelope.region, **data}


def _as_it_was(data: Data, envelope: Envelope) -> Data:
    return data


def _wish_fulfilled_v1(data: Data, envelope: Envelope) -> Data:
    # v1's `donor` was the pledge's donor id or a donor named in words: which, it did not say.
    return {"donor_id": None, **_plaintext_kept("donor")(data, envelope)}


def _donor_registered_v1(data: Data, envelope: Envelope) -> Data:
    return {"individual": False, "personal": None, **data}  # v1 registered organisations only


UPCASTERS: Mapping[tuple[str, int], Upcaster] = MappingProxyType({
    ("PairFormed", 1): _pair_formed_v1,
    ("WishSubmitted", 1): _plaintext_kept("item"),
    ("WishFulfilled", 1): _wish_fulfilled_v1,
    ("DonorRegistered", 1): _donor_registered_v1,
    # Business days: an event of the version before carried none, so it happened when recorded.
    ("DonorRegistered", 2): _recorded_on("registered_on"),
    ("ChildRegistered", 1): _recorded_on("registered_on"),
    ("VolunteerRecruited", 1): _recorded_on("recruited_on", staff=False),
    ("VolunteerWithdrew", 1): _recorded_on("withdrawn_on"),
    ("TeamFormed", 1): _recorded_on("formed_on"),
    ("StationOpened", 1): _recorded_on("opened_on"),
    ("StationClosed", 1): _recorded_on("closed_on"),
    ("FundOpened", 1): _recorded_on("opened_on"),
    ("FundAllocated", 1): _recorded_on("allocated_on"),
    ("FundAllocationReleased", 1): _recorded_on("released_on"),
    ("PairEnded", 1): _recorded_on("ended_on"),
    ("PairProposed", 1): _recorded_on("proposed_on"),
    ("PairApproved", 1): _recorded_on("approved_on"),
    ("ChildTransferredOut", 1): _recorded_on("transferred_on"),
    ("WishSubmitted", 2): _recorded_on("submitted_on"),
    ("ChildRiskAssessed", 2): _recorded_on("assessed_on"),
    ("WishApproved", 1): _recorded_on("approved_on"),
    ("WishPledged", 1): _recorded_on("pledged_on"),
    ("WishFulfilled", 2): _recorded_on("fulfilled_on"),
    ("WishCancelled", 1): _recorded_on("cancelled_on"),
    # The file's registration day is the other region's: not known from the move, left unknown.
    ("ChildTransferredIn", 1): _recorded_on("transferred_on"),
    **{(name, 1): _region_of_envelope
       for name in ("ChildJoinedPair", "ChildLeftPair", "VolunteerJoinedPair", "VolunteerLeftPair")},
    # v1 of the child's care tier was stored on her file, in her region then.
    ("ChildRiskAssessed", 1): _region_of_envelope,
    # v1 of care was stored on the pair, station or team itself; its data is v2's.
    **{(name, 1): _as_it_was
       for name in ("VisitLogged", "ActivityLogged", "StationActivityLogged", "TeamActivityLogged")},
})


def upcast(envelope: Envelope, current_version: int) -> Data:
    """The envelope's data as of `current_version`. Data of a version no upcaster leads on from (a
    later version than this code knows) is handed on as it is: validated against the current model,
    what does not fit it is refused as any malformed event is (the reader's ValidationError)."""
    data, version = envelope.data, envelope.schema_version
    while version < current_version and (step := UPCASTERS.get((envelope.event_type, version))):
        data, version = step(data, envelope), version + 1
    return data
