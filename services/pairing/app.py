"""The pairing service: pairs formed (directly, or proposed then approved) and ended; invariants
from the aggregates' own histories."""

from contracts.pairing.matching import ApprovePair, ProposePair, RejectPair, WithdrawProposal
from contracts.pairing.pairs import EndPair, FormPair
from services.pairing.handlers import end_pair, form_pair
from services.pairing.proposal_handlers import (approve_pair, propose_pair, reject_pair,
                                                withdraw_proposal)
from services.shared.endpoints import Routes

CONTEXT = "pairing"
ROUTES: Routes = {
    "form_pair": (FormPair, form_pair),
    "end_pair": (EndPair, end_pair),
    "propose_pair": (ProposePair, propose_pair),
    "approve_pair": (ApprovePair, approve_pair),
    "reject_pair": (RejectPair, reject_pair),
    "withdraw_proposal": (WithdrawProposal, withdraw_proposal),
}
