"""A proposal explained to its approver as it was suggested: a batch that offers one volunteer to
two children, once sent (her places now counting both, each child awaiting approval), is explained
with the very scores and reasons the batch's preview gave."""

from __future__ import annotations

from dataclasses import replace

from services.pairing.matching.engine import batch
from services.pairing.matching.profiles import ChildProfile, Snapshot, VolunteerProfile
from services.pairing.matching.review import proposal_candidates

HOME = "440105001101"


def test_a_batch_is_explained_to_the_approver_as_its_preview_was() -> None:
    children = (ChildProfile("c-1", HOME, "female", 15, tier="red"), ChildProfile("c-2", HOME, "male", 15))
    mother = VolunteerProfile("v-1", HOME, "female", "mother", capacity=3, load=1)
    preview = batch(Snapshot("440105000000", children, (mother,)))
    assert [p.child_id for p in preview.proposals] == ["c-1", "c-2"]

    sent = Snapshot("", tuple(replace(c, proposed_in=(f"p-{c.child_id}",)) for c in children),
                    (replace(mother, proposed=2),))
    for proposal in preview.proposals:
        [explained] = proposal_candidates(f"p-{proposal.child_id}", [proposal.child_id], ["v-1"], sent)
        assert (explained.score, explained.reasons) == (proposal.score, proposal.reasons)
    assert proposal_candidates("p-x", ["c-unknown"], ["v-1"], sent) == []
