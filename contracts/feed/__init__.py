"""The integration feed: what outside systems (provincial and city federation systems) read.

A feed is derived from the domain log by `services.feed.translate`. It holds no personal particulars:
pseudonyms instead of ids, age bands instead of birth dates, categories without subtypes, counts
instead of notes. `subjects` says where it is published, `events` what it says, `envelope` how a
message travels; their JSON Schemas are under contracts/feed/schemas/ (docs/feeds.md lists them).
"""

from contracts.feed.envelope import FeedMessage, message_id
from contracts.feed.events import BY_KIND, INTEGRATION_EVENTS, AgeBand, IntegrationEvent, age_band
from contracts.feed.subjects import FEED_ROOT, FEED_STREAM, feed_filter, feed_subject

__all__ = ["BY_KIND", "FEED_ROOT", "FEED_STREAM", "INTEGRATION_EVENTS", "AgeBand", "FeedMessage",
           "IntegrationEvent", "age_band", "feed_filter", "feed_subject", "message_id"]
