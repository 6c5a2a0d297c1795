"""The ledger's tables: the ledger itself (leaf region, day, figure → delta), its roll-ups to every
level (`levels`), the service minutes per volunteer and team and day, and the standing of what
later events need to know about."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Integer, String, Table, false

from services.shared.follower.projection import metadata

ledger = Table(
    "figure_ledger", metadata,
    Column("region", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("figure", String(64), primary_key=True),
    Column("delta", BigInteger, nullable=False),
)
# The roll-ups (see levels.py). Keyed parent first: a region's own rows and its direct sub-regions'
# rows are each one range of the primary key.
rollup = Table(
    "figure_rollup", metadata,
    Column("parent", String(12), primary_key=True),
    Column("prefix", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("figure", String(64), primary_key=True),
    Column("delta", BigInteger, nullable=False),
)
totals = Table(
    "figure_totals", metadata,
    Column("parent", String(12), primary_key=True),
    Column("prefix", String(12), primary_key=True),
    Column("figure", String(64), primary_key=True),
    Column("total", BigInteger, nullable=False),
    # The latest day of a delta summed in but not kept ahead (below): until then, read by day.
    Column("last_day", Date, nullable=False),
)
# The deltas dated after the day they were recorded (a birthday reminder, raised a week ahead,
# closes the day after the birthday), rolled up to every level of the totals: a read as
# of today takes a region's running totals less those dated later, instead of summing its rows by
# day. Keyed parent then day, so that the rows dated after a day are one range of the key however
# many earlier ones there are.
ahead = Table(
    "figure_ahead", metadata,
    Column("parent", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("prefix", String(12), primary_key=True),
    Column("figure", String(64), primary_key=True),
    Column("delta", BigInteger, nullable=False),
)
service = Table(
    "figure_service", metadata,
    Column("holder", String(16), primary_key=True),  # volunteer or team
    Column("holder_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("minutes", BigInteger, nullable=False),
    Column("activities", Integer, nullable=False),
)
children = Table(
    "figure_children", metadata,
    Column("child_id", String(64), primary_key=True),
    Column("region", String(12)),  # None between moving out and moving in
    Column("category", String(32), nullable=False),
    Column("active_pairs", Integer, nullable=False),
    Column("tier", String(8)),
    Column("exited", Boolean, nullable=False),
    Column("changed_on", Date, nullable=False),  # the last day one of its stocks changed
    Column("last_contact", Date),
)
volunteers = Table(
    "figure_volunteers", metadata,
    Column("volunteer_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("vtype", String(16), nullable=False),
    Column("team_id", String(64)),
    Column("trained", Boolean, nullable=False),
    Column("certified", Boolean, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    # Added with the staff figure: a ledger kept without it gets it at start (ledger.upgrade).
    Column("staff", Boolean, nullable=False, server_default=false()),
    Column("changed_on", Date, nullable=False),
)
pairs = Table(
    "figure_pairs", metadata,
    Column("pair_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False),
    Column("formed_on", Date, nullable=False),
    Column("child_ids", JSON, nullable=False),
    Column("volunteer_ids", JSON, nullable=False),
    Column("ended_on", Date),
    Column("last_contact", Date),
)
teams = Table(
    "figure_teams", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("level", String(16), nullable=False),
)
closed_wishes = Table(
    "figure_closed_wishes", metadata,
    Column("wish_id", String(64), primary_key=True),
    Column("closed_on", Date, nullable=False),
)
reminders = Table(
    "figure_reminders", metadata,
    Column("reminder_id", String(64), primary_key=True),
    Column("rule", String(32), nullable=False),
    Column("region", String(12), nullable=False),
    Column("subject_id", String(64), nullable=False, index=True),
    Column("reference_date", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("closed_on", Date),
)
# The standing tables by the batch's attribute that holds their rows: (table, its key column).
STANDING = {"children": (children, "child_id"), "volunteers": (volunteers, "volunteer_id"),
            "pairs": (pairs, "pair_id"), "teams": (teams, "team_id"),
            "closed_wishes": (closed_wishes, "wish_id"), "reminders": (reminders, "reminder_id")}
TABLES = (ledger, rollup, totals, ahead, service, *(table for table, _key in STANDING.values()))
