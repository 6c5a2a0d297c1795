"""The public contract of aixin: events, commands, subjects and region codes.

Other systems (provincial and city platforms, dashboards) code against this package only.
Events are frozen and past tense; commands are imperative and separate models.
"""

from contracts.envelope import Actor, Envelope, Event, FederationLevel
from contracts.registry import event_types
from contracts.privacy import Sealed

__all__ = ["Actor", "Envelope", "Event", "FederationLevel", "Sealed", "event_types"]
