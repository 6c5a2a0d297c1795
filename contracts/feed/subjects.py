"""Where the integration feed is published: one subject per message, under the region hierarchy of
the place it concerns, ending with the integration event's kind:

    aixin.feed.<province>.<city>.<county>.<town>.<village>.<kind>

The region tokens are those of the domain log (`contracts.subjects`): each level's significant code,
'_' below the region the message is placed in. So an outside system takes its subtree, or one kind
of message, with one wildcard:

    aixin.feed.44.>                    Guangdong
    aixin.feed.44.4401.>               Guangzhou
    aixin.feed.*.*.*.*.*.pair_formed   every pair formed, nationwide
"""

from __future__ import annotations

from contracts.envelope import FederationLevel
from contracts.regions import parse_region
from contracts.subjects import PLACEHOLDER, region_tokens

FEED_STREAM = "AIXIN_FEED"
FEED_ROOT = "aixin.feed"
ALL_FEED = f"{FEED_ROOT}.>"


def feed_subject(region_code: str, kind: str) -> str:
    """The subject of a message of `kind` placed in `region_code` (a 2-12 digit code, or 'CN')."""
    return ".".join([FEED_ROOT, *region_tokens(parse_region(region_code)), kind])


def feed_filter(office_code: str) -> str:
    """The wildcard an outside system of the office `office_code` reads its subtree with."""
    region = parse_region(office_code)
    if region.level is FederationLevel.national:
        return ALL_FEED
    reached = [token for token in region_tokens(region) if token != PLACEHOLDER]
    return ".".join([FEED_ROOT, *reached, ">"])
