"""Giving: donors and their funds, donations and what they are allocated to (a wish, a gift pack),
gift packs delivered. Money is counted in fen (integers), so a fund's balance is exact; commands take
yuan with at most two decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from contracts.commands import Command, Id
from contracts.envelope import Event
from contracts.privacy import Sealed
from contracts.text import Label, RegionCode


Yuan = Annotated[Decimal, Field(gt=0, le=100_000_000, max_digits=11, decimal_places=2,
                                        allow_inf_nan=False)]


class DonorKind(StrEnum):
    enterprise = "enterprise"  # a donor registered with RegisterDonor (an organisation, or a person)
    volunteer = "volunteer"  # a recruited volunteer (caring mother, father or family)


class AllocationTarget(StrEnum):
    wish = "wish"
    gift_pack = "gift_pack"


class GiftPackVersion(StrEnum):
    age_0_6 = "age_0_6"
    age_7_12 = "age_7_12"
    age_13_17 = "age_13_17"
    parent_child = "parent_child"


class RegisterDonor(Command):
    """A donor: an enterprise or other organisation (爱心企业), whose name is not personal data and
    stands in the log as it is, or a person giving in her own name (爱心人士, `individual`), whose
    name is sealed with a key of her own. A recruited volunteer gives as donor_kind volunteer."""

    donor_id: Id | None = None
    region: RegionCode = Field(description="the federation office that keeps the donor (any level below national)")
    name: Label = Field(description="the organisation's name, or the person's")
    individual: bool = Field(default=False, description="a person, not an organisation: her name is sealed")
    registered_on: date | None = Field(default=None, description=(
        "the day the donor was registered; default: today. Not in the future"))


class OpenFund(Command):
    fund_id: Id | None = None
    region: RegionCode = Field(description="the office managing the fund; it funds wishes and packs below it")
    name: Label
    opened_on: date | None = Field(default=None, description=(
        "the day the fund opened; no money comes into it before; default: today. Not in the future"))


class ReceiveDonation(Command):
    fund_id: Id
    donation_id: Id | None = None
    donor_kind: DonorKind
    donor_id: Id
    amount_yuan: Yuan
    received_on: date


class DeliverGiftPack(Command):
    gift_pack_id: Id | None = None
    child_id: Id
    delivered_on: date
    team_id: Id
    station_id: Id | None = Field(default=None, description="the station it was handed over at, if any")
    parent_child: bool = Field(default=False, description="the parent-child version, whatever the age")
    fund_id: Id | None = None
    amount_yuan: Yuan | None = Field(default=None, description="the pack's cost; required with fund_id")


class DonorRegistered(Event):
    """v2: a person's name is sealed (v1 knew organisations only: their names, in plaintext).
    v3: the day the donor was registered (v2, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "donor"
    donor_id: str
    region: str
    individual: bool = Field(default=False, description="a person giving in her own name")
    name: str | None = Field(description="an organisation's name; None for a person")
    personal: Sealed | None = Field(default=None, description=(
        "a person's sealed {name}, with her own key (`donor-<donor_id>`); None for an organisation"))
    registered_on: date | None = Field(default=None, description=(
        "the day the donor was registered; None: the day the event was recorded"))


class FundOpened(Event):
    """v2: the day it opened (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "fund"
    fund_id: str
    region: str
    name: str
    opened_on: date | None = Field(default=None, description=(
        "the day the fund opened; None: the day the event was recorded"))


class DonationReceived(Event):
    aggregate_type: ClassVar[str] = "fund"
    fund_id: str
    donation_id: str
    donor_kind: DonorKind
    donor_id: str
    amount_fen: int = Field(gt=0)
    received_on: date


class FundAllocated(Event):
    """v2: the day the money was allocated — a gift pack's on its delivery day (v1, read through the
    upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "fund"
    fund_id: str
    allocation_id: str
    target: AllocationTarget
    target_id: str
    amount_fen: int = Field(gt=0)
    allocated_on: date | None = Field(default=None, description=(
        "the day the money was allocated; None: the day the event was recorded"))


class FundAllocationReleased(Event):
    """An allocation given back to the fund: its wish was cancelled before it was fulfilled.
    v2: the day it was given back (v1, read through the upcaster: the day it was recorded)."""

    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "fund"
    fund_id: str
    allocation_id: str
    amount_fen: int = Field(gt=0)
    released_on: date | None = Field(default=None, description=(
        "the day the money was given back; None: the day the event was recorded"))


class GiftPackDelivered(Event):
    aggregate_type: ClassVar[str] = "gift_pack"
    gift_pack_id: str
    child_id: str
    region: str
    version: GiftPackVersion
    delivered_on: date
    team_id: str
    station_id: str | None
    fund_id: str | None
    allocation_id: str | None
