"""Follow-up work from the page where the need shows: a child's file offers what her file calls for —
survey her needs, set her tier, record or withdraw consent, log a visit for her pair or end it,
fulfil or cancel a wish, follow up, refer or close a concern — each sent as its command over the
API with the operator's token (the API names her the actor; the services decide whether she may).

A success redirects back to the page with `done=<action>` (POST, redirect, GET), and only then does
the page say it was done. A refusal shows the page again with what she typed and the rule broken,
with the value it needs where the API names one (a visit before the pair was formed: the day it
must follow). Only caseworkers are offered these forms (the API refuses the others all the same).
The forms' route is services.dashboard.files's, beside the page it shows again."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts.activity.care import VisitKind
from contracts.intake.child_file import ConsentScope, NeedKind
from contracts.activity.concerns import ConcernOutcome, ProfessionalKind, RiskTier
from contracts.activity.wishes import WishCancelReason
from contracts.intake.registration import GuardianRelation
from contracts.pairing.pairs import PairEndReason


@dataclass(frozen=True)
class Action:
    command: str  # /commands/<context>/<name>
    target: str  # the id field the page fills in ("child_id", "wish_id", …), never typed
    fields: tuple[str, ...] = ()  # typed, sent as strings when not blank
    lists: tuple[str, ...] = ()  # ticked boxes, sent as a list
    choices: dict[str, type[StrEnum]] | None = None  # the closed lists its fields pick from

    def options(self, name: str) -> tuple[str, tuple[str, ...]]:
        """(the enum's name, its values) of a field picked from a closed list; the page words each
        value as `enum.<name>.<value>`."""
        enum = (self.choices or {})[name]
        return enum.__name__, tuple(member.value for member in enum)


ACTIONS = {
    "survey": Action("/commands/intake/survey_needs", "child_id", ("surveyed_on", "notes"), ("needs",),
                     {"needs": NeedKind}),
    "tier": Action("/commands/activity/assess_risk", "child_id", ("tier", "reason"), choices={"tier": RiskTier}),
    "consent": Action("/commands/intake/record_consent", "child_id", ("relation", "given_by", "given_on"), ("scopes",),
                      {"relation": GuardianRelation, "scopes": ConsentScope}),
    "withdraw_consent": Action("/commands/intake/withdraw_consent", "child_id", ("withdrawn_on",), ("scopes",),
                               {"scopes": ConsentScope}),
    "visit": Action("/commands/activity/log_visit", "pair_id", ("kind", "visited_on", "duration_minutes", "note"),
                    choices={"kind": VisitKind}),
    "end_pair": Action("/commands/pairing/end_pair", "pair_id", ("reason",), choices={"reason": PairEndReason}),
    "fulfil_wish": Action("/commands/activity/fulfil_wish", "wish_id", ("donor",)),
    "cancel_wish": Action("/commands/activity/cancel_wish", "wish_id", ("reason",),
                          choices={"reason": WishCancelReason}),
    "follow_up": Action("/commands/activity/follow_up_concern", "concern_id", ("followed_up_on", "note")),
    "refer": Action("/commands/activity/refer_concern", "concern_id", ("professional", "referred_on", "note"),
                    choices={"professional": ProfessionalKind}),
    "close": Action("/commands/activity/close_concern", "concern_id", ("outcome", "closed_on", "note"),
                    choices={"outcome": ConcernOutcome}),
}


@dataclass(frozen=True)
class Refused:
    """What a refused action leaves on the page: which form, for what, what was typed, and why."""
    action: str
    target: str
    typed: dict
    errors: dict
    error: str | None


def body(action: Action, target: str, typed: dict[str, str], ticked: dict[str, list[str]]) -> dict:
    """The command's body: the id the page filled in, what was typed (trimmed, blanks left out so the
    command's defaults apply) and the boxes ticked."""
    sent: dict = {action.target: target}
    sent.update({name: typed[name].strip() for name in action.fields if typed.get(name, "").strip()})
    sent.update({name: ticked[name] for name in action.lists if ticked.get(name)})
    return sent
