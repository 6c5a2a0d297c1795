"""What the matching engine knows of children and volunteers: a snapshot read from the matching
read model. Pure values; suggestions are only advice, the aggregates keep the final say."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.pairing.rules import CONSENT_AGE


@dataclass(frozen=True)
class ChildProfile:
    child_id: str
    region: str  # 12-digit community code
    sex: str
    age: int
    tier: str | None = None
    needs: tuple[str, ...] = ()
    consent: bool = False  # the guardian's consent to pairing is on file
    exited: bool = False
    cared_in: tuple[str, ...] = ()  # active pairs other than collective ones
    proposed_in: tuple[str, ...] = ()  # proposals awaiting approval

    def needs_no_pair(self) -> bool:
        """Cared for already, awaiting approval of a proposal, or gone: no new pair is looked for."""
        return bool(self.exited or self.cared_in or self.proposed_in)

    def blocked(self) -> list[str]:
        """Why the child cannot be given a new individual pair now (empty: it can)."""
        reasons = []
        if self.exited:
            reasons.append("left the programme")
        if self.age < CONSENT_AGE and not self.consent:
            reasons.append(f"is {self.age}: under {CONSENT_AGE}, and the guardian's consent to pairing "
                           f"is not on file")
        if self.cared_in:
            reasons.append(f"already cared for in pair {', '.join(self.cared_in)}")
        if self.proposed_in:
            reasons.append(f"a proposal awaits approval: pair {', '.join(self.proposed_in)}")
        return reasons


@dataclass(frozen=True)
class VolunteerProfile:
    volunteer_id: str
    region: str
    sex: str
    kind: str  # mother, father or family
    capacity: int
    load: int = 0  # children in care in active pairs
    proposed: int = 0  # children in proposals awaiting approval
    specialties: tuple[str, ...] = ()
    trained: bool = True
    withdrawn: bool = False

    @property
    def free(self) -> int:
        """Capacity left once proposals awaiting approval are counted in, so one batch does not
        offer a volunteer beyond her capacity (approval re-checks against active pairs alone)."""
        return self.capacity - self.load - self.proposed

    def unavailable(self) -> str | None:
        if self.withdrawn:
            return "withdrawn"
        if not self.trained:
            return "reserve pool: required training not completed"
        if self.free <= 0:
            return "at capacity"
        return None


@dataclass(frozen=True)
class PastPair:
    """The latest pair (or proposal) that linked one child and one volunteer."""

    pair_id: str
    status: str  # proposed, active or ended
    end_reason: str | None = None


@dataclass(frozen=True)
class Snapshot:
    scope: str  # the region the candidates were taken from
    children: tuple[ChildProfile, ...]
    volunteers: tuple[VolunteerProfile, ...]
    history: dict[tuple[str, str], PastPair] = field(default_factory=dict)  # (child, volunteer)
