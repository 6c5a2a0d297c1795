"""Read models built from the log, one per question, each exactly-once in effect."""

from services.projections.children_directory import ChildrenDirectory
from services.projections.region_stats import RegionStats


def all_projections():
    return [RegionStats(), ChildrenDirectory()]
