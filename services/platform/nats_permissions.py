"""Who may do what on NATS: one user per service, least privilege, no anonymous connection.

The permissions are built here, from the subject scheme (`contracts.subjects`), and nowhere else:
the embedded nats-server is configured with them, and `aixin nats-config` prints the same block
for an external cluster. Pure: no I/O.

- A command service publishes only the event subjects of the aggregates it writes and subscribes
  only to its own command subjects, in its own queue group (nobody else may subscribe there, so
  nobody can answer in its place); it answers into the inboxes of those who may ask it (`ASKERS`).
- The API alone publishes commands; it appends account events and reads histories.
- Log followers (read models, the reminder process) read the log through consumers; the reminder
  process appends only its own `reminder` events, the read models only an operator's skip of an
  event they parked (`parked_event`).
- Only `admin` manages the stream or asks the read models for a replay; no other user may
  create, update, delete or purge the stream or delete its messages.
- The feed translator (`feed`) only reads the log; it writes each outside system's feed as that
  system's `feeder`, a user of the platform's in the system's own account.
- A provincial or city system is walled off in a NATS account of its own (`system_account`), which
  holds nothing but its feed: a stream of integration events of its subtree (`contracts.feed`),
  written by the platform's feeder. Within one account, permission to call the JetStream API is in
  effect permission to read the whole stream (a push consumer's deliver subject is not checked
  against its creator's permissions, a message get by sequence ignores subject permissions), so
  the wall is the account, not a filter: the platform's account exports and imports nothing, and
  whatever a system does — a consumer delivering onto `aixin.admin.>`, a reply subject of another
  user's inbox — happens in its own account, where nothing of the platform listens. Its user may
  read the feed stream and manage consumers on it, and may not publish into it, change or delete it.

A province's leaf node (`services.platform.leaf_config`) connects to the hub as a third user of
the system's account, `leaf`, allowed what the mirror of the feed needs and no more: creating its
consumer through the hub's domain API, receiving that consumer's deliveries and the answer to its
creation, answering flow control. It may not publish into the feed, change, purge or delete it, nor
delete a consumer.

Every user has an inbox prefix of its own (`_INBOX_<user>`) and may subscribe only there, so no
user reads another's replies (a history answered by direct get, a command's reply). The users that
append may also read the server's advisory of a new leader of the log's stream, on a cluster: an
acknowledgement awaited from the leader before is not coming (`services.shared.eventlog.append`).
"""

from __future__ import annotations

import re

from contracts.subjects import ACCOUNTS_ROOT, ADMIN_ROOT, COMMANDS_ROOT, EVENTS_ROOT, STREAM
from contracts.feed.subjects import FEED_ROOT, FEED_STREAM
from contracts.regions import PREFIX_LENGTHS

JS = "$JS.API"
ADMIN = "admin"
API = "api"
# The aggregates each command service writes: the `<aggregate_type>` token of `aixin.evt....`.
WRITES: dict[str, tuple[str, ...]] = {
    "intake": ("child", "volunteer", "station", "team", "training"),
    "imports": ("child", "volunteer"),
    "pairing": ("pair", "pairing_child", "pairing_volunteer"),  # a child's and a volunteer's pairs are pairing's
    # the care of a pair, a station or a team is activity's, the pair pairing's, the station intake's;
    # the child's care tier is activity's, her file intake's
    "activity": ("pair_care", "station_care", "team_care", "child_care", "wish", "concern", "donor", "fund",
                 "gift_pack"),
    "reporting": ("submission", "nomination", "card_thresholds"),  # a month submitted upward (数据上报),
    # a nomination (最美爱心妈妈), an office's card thresholds (通报)
    "reminders": ("reminder",),
    "projections": ("parked_event",),  # an operator's skip of an event a read model parked
}
# The command subjects a service answers, and its queue group (see `services.shared.endpoints`).
ANSWERS: dict[str, tuple[str, ...]] = {
    "intake": ("intake.>",),
    "imports": ("intake.register_children", "intake.recruit_volunteers"),
    "pairing": ("pairing.>",),
    "activity": ("activity.>",),
    "reporting": ("reporting.>",),
}
QUEUE = {"intake": "aixin-intake", "imports": "aixin-intake", "pairing": "aixin-pairing",
         "activity": "aixin-activity", "reporting": "aixin-reporting"}
FEED = "feed"
FOLLOWERS = ("projections", "reminders", FEED)
SERVICE_USERS = (ADMIN, API, "intake", "imports", "pairing", "activity", "reporting", "projections", "reminders",
                 FEED)
FEEDER = "feeder"  # the platform's user in each system's account
LEAF = "leaf"  # a province's leaf node, in the system's account
HUB_DOMAIN = "aixin"  # the hub's JetStream domain: a leaf node reaches its API as `$JS.aixin.API`
SYSTEM_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


# Who may send a service its requests, and so whose inbox it answers into: the API and an operator's
# tools (as `admin`) the commands, `admin` alone the read models' replays and rebuilds.
# An answer is a publish to the asker's inbox, not `allow_responses`: the server keeps the answers a
# client owes in its record of that client, which a configuration reload empties (each client is
# authorized again: `setPermissions` makes `c.replies` anew), so a command under way while
# `aixin systems add` reloaded the server was applied and its answer refused (the caller waited out
# its timeout); and on a cluster an answer sent through another node than the request came by was
# refused too. A reply subject ends in a token the answering user can learn only from the request
# (it may not subscribe to another user's inbox), so it still answers only what it was asked.
ASKERS: dict[str, tuple[str, ...]] = {**{user: (API, ADMIN) for user in ANSWERS}, "projections": (ADMIN,)}


def inbox_prefix(user: str) -> str:
    return f"_INBOX_{user}"


def _events_of(aggregate_type: str) -> str:
    return ".".join([EVENTS_ROOT, *["*"] * len(PREFIX_LENGTHS), aggregate_type, "*"])


def _reading_histories() -> list[str]:
    # Loading one aggregate: a batched direct get (the filter travels in the body, so it cannot be
    # narrowed here; only the services and the API have it) and the stream's last sequence.
    return [f"{JS}.DIRECT.GET.{STREAM}", f"{JS}.STREAM.INFO.{STREAM}"]


def _following() -> list[str]:
    # A reader's own consumer: created without a name, deleted on unsubscribe, its deliveries
    # acknowledged as received (which bounds what the server sends ahead), flow control answered.
    # Acknowledging is not narrowed to the reader's consumers (their names are the server's): these
    # users are aixin's own, which may delete any consumer of the stream already.
    return [f"{JS}.CONSUMER.CREATE.{STREAM}", f"{JS}.CONSUMER.CREATE.{STREAM}.>",
            f"{JS}.CONSUMER.DELETE.{STREAM}.*", f"{JS}.CONSUMER.INFO.{STREAM}.*", f"$JS.FC.{STREAM}.>",
            f"$JS.ACK.{STREAM}.>"]


def permissions(user: str) -> dict:
    """The NATS permissions of one of aixin's own users."""
    if user == ADMIN:
        return {"publish": {"allow": [">"]}, "subscribe": {"allow": [">"]}}
    inbox = f"{inbox_prefix(user)}.>"
    publish = [_events_of(aggregate) for aggregate in WRITES.get(user, ())]
    subscribe = [inbox]
    if user == API:
        publish += [f"{COMMANDS_ROOT}.>", f"{ACCOUNTS_ROOT}.*", *_reading_histories(), *_following()]
    if user in ANSWERS:
        publish += _reading_histories()
        subscribe += [f"{COMMANDS_ROOT}.{subject} {QUEUE[user]}" for subject in ANSWERS[user]]
    if user in FOLLOWERS:
        publish += [*_reading_histories(), *_following()]
    if user == "projections":
        subscribe.append(f"{ADMIN_ROOT}.projections.>")
    publish += [f"{inbox_prefix(asker)}.>" for asker in ASKERS.get(user, ())]
    if user in WRITES or user == API:  # appenders learn of a new leader of the log's stream
        subscribe.append(f"$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.{STREAM}")
    if user not in SERVICE_USERS:
        raise ValueError(f"no NATS user {user!r}; aixin's users are {', '.join(SERVICE_USERS)}")
    return {"publish": {"allow": publish}, "subscribe": {"allow": subscribe}}


def check_system_name(name: str) -> str:
    if not SYSTEM_NAME.fullmatch(name) or name in SERVICE_USERS or name in (FEEDER, LEAF):
        raise ValueError(f"a system's name is 1 to 32 of a-z, 0-9 and '-', starting with a letter, and "
                         f"not one of {', '.join((*SERVICE_USERS, FEEDER, LEAF))}: not {name!r}")
    return name


def system_account(name: str) -> str:
    """The NATS account a system lives in, alone with the platform's feeder."""
    return f"system-{check_system_name(name)}"


def feeder_permissions() -> dict:
    """The platform's writer of one system's feed: the feed stream of that account and nothing else."""
    return {
        "publish": {"allow": [f"{FEED_ROOT}.>", f"{JS}.INFO", f"{JS}.STREAM.CREATE.{FEED_STREAM}",
                              f"{JS}.STREAM.UPDATE.{FEED_STREAM}", f"{JS}.STREAM.INFO.{FEED_STREAM}",
                              f"{JS}.STREAM.DELETE.{FEED_STREAM}", f"{JS}.STREAM.MSG.GET.{FEED_STREAM}",
                              f"{JS}.DIRECT.GET.{FEED_STREAM}", f"{JS}.DIRECT.GET.{FEED_STREAM}.>"]},
        "subscribe": {"allow": [f"{inbox_prefix(FEEDER)}.>"]},
    }


def system_permissions(name: str) -> dict:
    """A provincial or city system, in its own account: it reads its feed through consumers of its
    own (pull or push, any name and filter: the stream holds its subtree only), by direct or message
    get, and may read the stream's information — and it may not publish into the feed, nor create,
    change, purge or delete a stream or a message. Its replies come to `_INBOX.>`, the clients'
    default, which no other user of its account uses."""
    check_system_name(name)
    stream = FEED_STREAM
    return {
        "publish": {"allow": [
            f"{JS}.INFO", f"{JS}.STREAM.NAMES", f"{JS}.STREAM.LIST", f"{JS}.STREAM.INFO.{stream}",
            f"{JS}.CONSUMER.CREATE.{stream}", f"{JS}.CONSUMER.CREATE.{stream}.>",
            f"{JS}.CONSUMER.DURABLE.CREATE.{stream}.*", f"{JS}.CONSUMER.INFO.{stream}.*",
            f"{JS}.CONSUMER.DELETE.{stream}.*", f"{JS}.CONSUMER.NAMES.{stream}", f"{JS}.CONSUMER.LIST.{stream}",
            f"{JS}.CONSUMER.MSG.NEXT.{stream}.*", f"$JS.ACK.{stream}.>", f"$JS.FC.{stream}.>",
            f"{JS}.DIRECT.GET.{stream}", f"{JS}.DIRECT.GET.{stream}.>", f"{JS}.STREAM.MSG.GET.{stream}",
        ]},
        "subscribe": {"allow": ["_INBOX.>", f"{FEED_ROOT}.>"]},
    }


def leaf_permissions(hub_domain: str = HUB_DOMAIN) -> dict:
    """A province's leaf node on the hub, in the system's account: the mirror of the feed. On a leaf
    link, publish is what the leaf may send into the hub and subscribe what the hub may send it.
    The mirror creates its consumer by the hub's domain API (`$JSC.R.<id>` gets the answer), the
    consumer delivers onto `$JS.M.<id>`, and the leaf answers flow control; `$LDS.` is the link's
    loop detection. Nothing else crosses: no publish into the feed, no stream or consumer deletion."""
    api = f"$JS.{hub_domain}.API"
    return {
        "publish": {"allow": [f"{api}.CONSUMER.CREATE.{FEED_STREAM}", f"{api}.CONSUMER.CREATE.{FEED_STREAM}.>",
                              f"$JS.FC.{FEED_STREAM}.>"]},
        "subscribe": {"allow": ["$JS.M.>", "$JSC.R.>", "$LDS.>"]},
    }
