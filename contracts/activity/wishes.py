"""Micro-wishes (微心愿), their whole way in one place: submitted for a child, approved, pledged by a
donor, then fulfilled — by redeeming its wish card, or directly for a wish that never had a card —
or cancelled.

A wish card's code is never stored: the log keeps a keyed hash of it, and the code is shown once,
to the operator who issued the card.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.activity.giving import DonorKind, Yuan
from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import LegacyPlaintext, Sealed
from contracts.text import Label





from contracts.text import Code


class WishCategory(StrEnum):
    study = "study"
    daily_life = "daily_life"
    sports = "sports"
    arts = "arts"
    other = "other"


class SubmitWish(Command):
    wish_id: Id | None = None
    child_id: Id
    item: Label
    category: WishCategory = WishCategory.other
    estimated_cost_yuan: float = Field(ge=0, le=100_000, allow_inf_nan=False)
    submitted_on: date | None = Field(default=None, description=(
        "the day the wish was submitted; default: today. Not in the future, nor before the child was on file"))


class FulfilWish(Command):
    wish_id: Id
    donor: Label | None = Field(default=None, description="donor enterprise or volunteer")
    fulfilled_on: date | None = Field(default=None, description=(
        "the day the gift was handed over; default: today. Not in the future, nor before the wish's last step"))


class WishSubmitted(Event):
    """v2: the item is sealed {item} with the child's key (v1 stored it in plaintext; read through
    the upcaster, such an item is a `LegacyPlaintext`). v3: the day it was submitted (v2, read through
    the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "wish"

    wish_id: str
    child_id: str
    region: str
    item: Sealed | LegacyPlaintext = Field(description="sealed {item}, with the child's key")
    category: WishCategory
    estimated_cost_yuan: float
    submitted_on: date | None = Field(default=None, description=(
        "the day the wish was submitted; None: the day the event was recorded"))


class WishFulfilled(Event):
    """v2: the pledging donor's id stands apart, in plaintext (an id, the one WishPledged names);
    a donor named in words (FulfilWish.donor) is sealed {donor} with the child's key. v1 had one
    plaintext `donor`, either of the two; read through the upcaster it is a `LegacyPlaintext`.
    v3: the day it was fulfilled (v2, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "wish"

    wish_id: str
    child_id: str
    donor_id: str | None = Field(default=None, description="the pledge's donor, if the wish was pledged")
    donor: Sealed | LegacyPlaintext | None = Field(
        default=None, description="sealed {donor}: who gave it as the operator named them, with the child's key")
    fulfilled_on: date | None = Field(default=None, description=(
        "the day the wish was fulfilled; None: the day the event was recorded"))


class WishCancelReason(StrEnum):
    no_longer_needed = "no_longer_needed"
    child_exited = "child_exited"
    duplicate = "duplicate"
    not_appropriate = "not_appropriate"
    other = "other"


# --- commands ---

class ApproveWish(Command):
    wish_id: Id
    approved_on: date | None = Field(default=None, description=(
        "the day the wish was approved; default: today. Not in the future, nor before the wish's last step"))


class PledgeWish(Command):
    wish_id: Id
    donor_kind: DonorKind
    donor_id: Id
    fund_id: Id | None = Field(default=None, description="pay from this fund instead of the donor's pocket")
    amount_yuan: Yuan | None = Field(default=None, description="default: the wish's estimated cost")
    pledged_on: date | None = Field(default=None, description=(
        "the day the donor pledged it (and a fund's money went to it); default: today. Not in the future, "
        "nor before the wish's last step"))


class IssueWishCard(Command):
    wish_id: Id


class RedeemWishCard(Command):
    wish_id: Id
    code: Code = Field(description="the code printed on the card")


class CancelWish(Command):
    wish_id: Id
    reason: WishCancelReason
    cancelled_on: date | None = Field(default=None, description=(
        "the day the wish was cancelled; default: today. Not in the future, nor before the wish's last step"))


# --- events ---

class WishApproved(Event):
    """v2: the day it was approved (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "wish"
    wish_id: str
    approved_on: date | None = Field(default=None, description=(
        "the day the wish was approved; None: the day the event was recorded"))


class WishPledged(Event):
    """v2: the day it was pledged (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "wish"
    wish_id: str
    donor_kind: DonorKind
    donor_id: str
    amount_fen: int
    fund_id: str | None
    allocation_id: str | None
    pledged_on: date | None = Field(default=None, description=(
        "the day the wish was pledged; None: the day the event was recorded"))


class WishCardIssued(Event):
    aggregate_type: ClassVar[str] = "wish"
    wish_id: str
    card_id: str
    code_hash: str = Field(description="HMAC-SHA256 (hex) of the code, keyed by an installation secret")
    replaces: str | None = Field(description="the card this one invalidates (a lost card), if any")


class WishCardRedeemed(Event):
    """Stored together with the wish's WishFulfilled, in one atomic batch."""

    aggregate_type: ClassVar[str] = "wish"
    wish_id: str
    card_id: str


class WishCancelled(Event):
    """v2: the day it was cancelled (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "wish"
    wish_id: str
    reason: WishCancelReason
    cancelled_on: date | None = Field(default=None, description=(
        "the day the wish was cancelled; None: the day the event was recorded"))
