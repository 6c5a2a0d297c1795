"""A proposal's score and reasons for its approver, as they were when it was suggested: the same
terms as the suggestion the proposer chose from, so that both read the same explanation. Once
proposed, a pair marks its child as awaiting approval and counts against its volunteer's free
places; both are taken back out here, or the approver would read an eligibility "once the child may
be paired" and a lower score than the proposer saw. A volunteer's places are reckoned as before any
of her proposals awaiting approval: a batch offers one volunteer to several children at once, each
with the places she had before the batch, and it is batches that fill an approver's list (a
volunteer proposed one child after another, by hand, is shown the places she had before the first)."""

from __future__ import annotations

from dataclasses import replace

from services.pairing.matching.engine import Candidate, candidate
from services.pairing.matching.profiles import Snapshot


def proposal_candidates(pair_id: str, child_ids: list[str], volunteer_ids: list[str],
                        snapshot: Snapshot) -> list[Candidate]:
    """Each child-volunteer match of the proposal, explained as before it was proposed (children or
    volunteers the snapshot does not hold are left out)."""
    kids = {c.child_id: c for c in snapshot.children}
    adults = {v.volunteer_id: v for v in snapshot.volunteers}
    found = []
    for child_id in child_ids:
        for volunteer_id in volunteer_ids:
            if child_id not in kids or volunteer_id not in adults:
                continue
            child = kids[child_id]
            child = replace(child, proposed_in=tuple(p for p in child.proposed_in if p != pair_id))
            volunteer = replace(adults[volunteer_id], proposed=0)
            found.append(candidate(child, volunteer, snapshot))
    return found
