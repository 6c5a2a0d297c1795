"""The subject scheme of aixin: where events are stored and where commands are sent.

Events — one subject per aggregate, under the region hierarchy of its owning region:

    aixin.evt.<province>.<city>.<district>.<street>.<community>.<aggregate_type>.<aggregate_id>

Each region token is the region's significant code (44, 4401, 440105, 440105001, 440105001101);
levels below the owning region are '_'. So a subscriber takes its subtree with one wildcard:

    aixin.evt.>                        everything (national)
    aixin.evt.44.>                     Guangdong
    aixin.evt.44.4401.>                Guangzhou
    aixin.evt.44.4401.440105.>         Haizhu district
    aixin.evt.*.*.*.*.*.child.>        every child event, nationwide

Optimistic concurrency is per aggregate subject (`Nats-Expected-Last-Subject-Sequence`).
An aggregate's whole history, even across a move to another region, is read with
`history_filter(aggregate_type, aggregate_id)`; every aggregate of one id, whatever its type (a
child's file, intake's, and her pairs, pairing's), with `id_filter(aggregate_id)`.

Accounts — one subject per account, outside the region hierarchy, so that a provincial or city
subscription (`aixin.evt.44.>`) never sees who may sign in where:

    aixin.acct.<username>              ACCOUNT_EVENTS = aixin.acct.> takes them all

Commands — request/reply, one subject per command, replies are `contracts.replies.Reply`:

    aixin.cmd.<context>.<command>      e.g. aixin.cmd.intake.register_child
"""

from __future__ import annotations

from functools import cache

from contracts.envelope import FederationLevel
from contracts.regions import PREFIX_LENGTHS, Region, parse_region

STREAM = "AIXIN_EVENTS"
EVENTS_ROOT = "aixin.evt"
ALL_EVENTS = f"{EVENTS_ROOT}.>"
COMMANDS_ROOT = "aixin.cmd"
ADMIN_ROOT = "aixin.admin"
ACCOUNTS_ROOT = "aixin.acct"
ACCOUNT_EVENTS = f"{ACCOUNTS_ROOT}.>"
ACCOUNT_AGGREGATE = "account"
PLACEHOLDER = "_"
ANY_AGGREGATE = "*"  # an aggregate type that stands for all of them: see `id_filter`


def region_tokens(region: Region) -> list[str]:
    return list(_region_path(region).split("."))


@cache  # every event's subject is built from its region: keep it cheap
def _region_path(region: Region) -> str:
    levels = list(PREFIX_LENGTHS)
    depth = -1 if region.level is FederationLevel.national else levels.index(region.level)
    return ".".join(region.code[:PREFIX_LENGTHS[level]] if i <= depth else PLACEHOLDER
                    for i, level in enumerate(levels))


def event_subject(region: Region, aggregate_type: str, aggregate_id: str) -> str:
    return f"{EVENTS_ROOT}.{_region_path(region)}.{aggregate_type}.{aggregate_id}"


def account_subject(username: str) -> str:
    return f"{ACCOUNTS_ROOT}.{username}"


def history_filter(aggregate_type: str, aggregate_id: str) -> str:
    if aggregate_type == ACCOUNT_AGGREGATE:  # an account never moves: its one subject is its history
        return account_subject(aggregate_id)
    return ".".join([EVENTS_ROOT, *["*"] * len(PREFIX_LENGTHS), aggregate_type, aggregate_id])


def id_filter(aggregate_id: str) -> str:
    """Every aggregate of this id, of any type (`ANY_AGGREGATE`), in any region: one person's
    aggregates in two contexts, read together and checked together
    (`Nats-Expected-Last-Subject-Sequence-Subject`)."""
    return history_filter(ANY_AGGREGATE, aggregate_id)


def subtree_filter(region_code: str) -> str:
    """The wildcard a provincial or city system subscribes to for its subtree."""
    region = parse_region(region_code)
    if region.level is FederationLevel.national:
        return ALL_EVENTS
    reached = [t for t in region_tokens(region) if t != PLACEHOLDER]
    return ".".join([EVENTS_ROOT, *reached, ">"])


def command_subject(context: str, command: str) -> str:
    return f"{COMMANDS_ROOT}.{context}.{command}"
