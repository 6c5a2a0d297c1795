"""Read models built from the log, one per question, each exactly-once in effect."""

from services.projections.bulletin.model import Bulletin
from services.projections.children_directory import ChildrenDirectory
from services.projections.concern_cases import ConcernCases
from services.projections.figures.ledger import FigureLedger
from services.projections.file_records import FileRecords
from services.projections.fund_statement import FundStatement
from services.projections.gift_pack_deliveries import GiftPackDeliveries
from services.projections.matching_candidates.model import MatchingCandidates
from services.projections.pair_compliance.model import PairCompliance
from services.projections.pair_modes import PairModes
from services.projections.places_to_complete import PlacesToComplete
from services.projections.recognitions import Recognitions
from services.projections.rematch_queue import RematchQueue
from services.projections.station_pages import StationPages
from services.projections.team_rosters import TeamRosters
from services.projections.submissions.model import Submissions
from services.projections.volunteer_directory import VolunteerDirectory
from services.projections.volunteer_pools import VolunteerPools
from services.projections.work_queues import WorkQueues


def all_projections():
    return [FigureLedger(), ChildrenDirectory(),
            MatchingCandidates(), VolunteerPools(), RematchQueue(), PairModes(),
            FundStatement(), GiftPackDeliveries(), ConcernCases(),
            PairCompliance(), VolunteerDirectory(), PlacesToComplete(), WorkQueues(), FileRecords(),
            TeamRosters(), StationPages(), Submissions(), Recognitions(), Bulletin()]
