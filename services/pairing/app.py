"""The pairing service: pairs formed and ended, invariants from the aggregates' own histories."""

from contracts.pairing import EndPair, FormPair
from services.pairing.handlers import end_pair, form_pair
from services.shared.endpoints import Routes

CONTEXT = "pairing"
ROUTES: Routes = {
    "form_pair": (FormPair, form_pair),
    "end_pair": (EndPair, end_pair),
}
