"""The figures the federation's reports quote: each one's stable key, whether it is a stock (a level
that stands on a day: volunteers on the rolls, children paired) or a flow (what happened in a span:
activities held, wishes fulfilled), its topic, and its name in Chinese and English.

Keys are what the ledger stores and what `--json` and the HTTP API answer with; they never change
with the language. Figures worked out from others (a coverage, hours from minutes) are `derived`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from contracts.activity.care import ActivityKind
from contracts.intake.child_file import ExitReason
from contracts.activity.concerns import RiskTier
from contracts.activity.giving import GiftPackVersion
from contracts.intake.registration import ChildCategory, VolunteerKind, VolunteerType
from contracts.activity.reminders import ReminderRule

STOCK, FLOW, DERIVED = "stock", "flow", "derived"
COUNTED = "counted"  # a stock the ledger does not sum: counted on read (counties covered)


@dataclass(frozen=True)
class Topic:
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str  # STOCK, FLOW, DERIVED or COUNTED
    topic: str
    zh: str
    en: str
    unit: str = "count"  # count, fen (money), share (0..1), hours


TOPICS = (
    Topic("volunteers", "志愿者", "Volunteers"),
    Topic("service", "服务时长", "Service hours"),
    Topic("organisation", "队伍与驿站", "Teams and stations"),
    Topic("activities", "活动", "Activities"),
    Topic("children", "儿童与结对", "Children and pairing"),
    Topic("exits", "退出", "Exits"),
    Topic("wishes", "微心愿", "Micro-wishes"),
    Topic("funds", "爱心基金", "Funds"),
    Topic("gift_packs", "暖心包", "Gift packs"),
    Topic("reminders", "提醒与逾期", "Reminders and overdue care"),
)

KIND_ZH = {"mother": "爱心妈妈", "father": "爱心爸爸", "family": "爱心家庭"}
KIND_EN = {"mother": "caring mothers", "father": "caring fathers", "family": "caring families"}
TYPE_ZH = {"neighbour": "邻家妈妈", "specialist": "专长妈妈", "bay_area": "湾区爱心妈妈"}
LEVEL_ZH = {"city": "市级", "district": "区县级", "street": "街镇级", "community": "社区村级"}
ACTIVITY_ZH = {"phone_call": "亲情连线", "home_visit": "入户走访", "reading": "陪你阅读",
               "holiday_activity": "假日活动", "birthday": "过生日", "study_trip": "研学",
               "station_activity": "驿站活动", "counselling": "心理辅导", "other": "其他活动"}
HOST_ZH = {"pair": "结对活动", "station": "驿站集体活动", "team": "服务队集体活动"}
CATEGORY_ZH = {"left_behind": "留守儿童", "in_difficulty": "困境儿童"}
TIER_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
EXIT_ZH = {"aged_out": "年满退出", "parents_returned": "父母返乡", "withdrawn": "主动退出",
           "deceased": "离世", "other": "其他原因"}
PACK_ZH = {"age_0_6": "0-6岁版", "age_7_12": "7-12岁版", "age_13_17": "13-17岁版", "parent_child": "亲子版"}
RULE_ZH = {"contact_overdue": "联系逾期", "birthday_coming": "生日将至",
           "wish_waiting": "心愿待认领", "red_tier_without_contact": "红色儿童7天未联系"}


def _words(value: str) -> str:
    return value.replace("_", " ")


def _figures() -> list[Figure]:
    f: list[Figure] = [
        Figure("volunteers", STOCK, "volunteers", "在册志愿者", "volunteers on the rolls"),
        *(Figure(f"volunteers_kind_{k}", STOCK, "volunteers", KIND_ZH[k], KIND_EN[k]) for k in VolunteerKind),
        *(Figure(f"volunteers_type_{t}", STOCK, "volunteers", TYPE_ZH[t], f"{_words(t)} volunteers")
          for t in VolunteerType),
        Figure("volunteers_trained", STOCK, "volunteers", "已完成未成年人保护法培训",
               "trained in the Minors Protection Law"),
        Figure("volunteers_certified", STOCK, "volunteers", "已认证", "certified"),
        Figure("volunteers_staff", STOCK, "volunteers", "妇联干部志愿者", "federation staff among volunteers"),
        Figure("volunteers_recruited", FLOW, "volunteers", "招募", "recruited"),
        Figure("volunteers_withdrawn", FLOW, "volunteers", "退出", "withdrawn"),
        Figure("training_sessions", FLOW, "volunteers", "培训场次", "training sessions held"),
        Figure("station_training_sessions", FLOW, "volunteers", "驿站培训场次", "training sessions held at a station"),
        Figure("volunteers_trained_at_stations", FLOW, "volunteers", "驿站培训志愿者人次",
               "volunteers trained at a station (person-times)"),
        Figure("service_minutes", FLOW, "service", "志愿服务时长（分钟）", "volunteer service minutes"),
        Figure("service_hours", DERIVED, "service", "志愿服务时长（小时）", "volunteer service hours", "hours"),
        Figure("activity_minutes", FLOW, "service", "活动时长（分钟）", "activity minutes"),
        Figure("teams", STOCK, "organisation", "志愿服务队", "volunteer teams"),
        *(Figure(f"teams_level_{lv}", STOCK, "organisation", f"{z}服务队", f"{lv} teams")
          for lv, z in LEVEL_ZH.items()),
        Figure("stations_open", STOCK, "organisation", "开放驿站", "stations open"),
        Figure("activities", FLOW, "activities", "活动次数", "activities"),
        *(Figure(f"activities_kind_{k}", FLOW, "activities", ACTIVITY_ZH[k], _words(k)) for k in ActivityKind),
        *(Figure(f"activities_by_{h}", FLOW, "activities", z, f"{h} activities") for h, z in HOST_ZH.items()),
        Figure("person_times", FLOW, "activities", "服务人次", "person-times served (volunteers not counted)"),
        Figure("child_person_times", FLOW, "activities", "服务儿童人次", "children served (person-times)"),
        Figure("guardian_person_times", FLOW, "activities", "服务家长人次", "parents and guardians served (person-times)"),
        Figure("other_person_times", FLOW, "activities", "其他服务人次", "others served (attendance not named)"),
        Figure("volunteer_person_times", FLOW, "activities", "志愿者参与人次", "volunteers serving (person-times)"),
        Figure("attendance", FLOW, "activities", "参与总人次", "attendance (everyone present, as given)"),
        Figure("children", STOCK, "children", "在册儿童", "children on file"),
        *(Figure(f"children_category_{c}", STOCK, "children", CATEGORY_ZH[c], _words(c)) for c in ChildCategory),
        Figure("children_registered", FLOW, "children", "新登记儿童", "children registered"),
        Figure("children_paired", STOCK, "children", "已结对儿童", "children paired"),
        *(Figure(f"children_paired_category_{c}", STOCK, "children", f"已结对{CATEGORY_ZH[c]}",
                 f"{_words(c)} paired") for c in ChildCategory),
        Figure("coverage", DERIVED, "children", "结对覆盖率", "pairing coverage", "share"),
        *(Figure(f"coverage_{c}", DERIVED, "children", f"{CATEGORY_ZH[c]}结对覆盖率",
                 f"coverage, {_words(c)}", "share") for c in ChildCategory),
        *(Figure(f"children_tier_{t}", STOCK, "children", f"{TIER_ZH[t]}关爱儿童", f"{t}-tier children")
          for t in RiskTier),
        Figure("active_pairs", STOCK, "children", "在结对数", "active pairs"),
        # Worked out on read from the pairs (services.projections.figures.counties), not the ledger.
        Figure("counties_covered", COUNTED, "children", "覆盖县（市、区）数", "counties with an active pair"),
        Figure("pairs_formed", FLOW, "children", "新结对", "pairs formed"),
        Figure("pairs_ended", FLOW, "children", "结对解除", "pairs ended"),
        Figure("children_moved_in", FLOW, "children", "转入儿童", "children moved in"),
        Figure("children_moved_out", FLOW, "children", "转出儿童", "children moved out"),
        Figure("children_exited", FLOW, "exits", "退出儿童", "children exited"),
        *(Figure(f"children_exited_reason_{r}", FLOW, "exits", EXIT_ZH[r], _words(r)) for r in ExitReason),
        Figure("wishes_submitted", FLOW, "wishes", "提交心愿", "wishes submitted"),
        Figure("wishes_pledged", FLOW, "wishes", "认领心愿", "wishes pledged"),
        Figure("wishes_fulfilled", FLOW, "wishes", "实现心愿", "wishes fulfilled"),
        Figure("wishes_cancelled", FLOW, "wishes", "取消心愿", "wishes cancelled"),
        Figure("wishes_open", STOCK, "wishes", "待实现心愿", "wishes open"),
        Figure("funds", STOCK, "funds", "爱心基金数", "funds"),
        Figure("donors", STOCK, "funds", "爱心企业与人士", "donors"),
        Figure("funds_raised_fen", FLOW, "funds", "募集资金（元）", "raised (yuan)", "fen"),
        Figure("funds_allocated_fen", FLOW, "funds", "拨付资金（元）", "allocated (yuan)", "fen"),
        Figure("fund_balance_fen", STOCK, "funds", "基金余额（元）", "balance (yuan)", "fen"),
        Figure("gift_packs", FLOW, "gift_packs", "发放暖心包", "gift packs delivered"),
        *(Figure(f"gift_packs_version_{v}", FLOW, "gift_packs", PACK_ZH[v], _words(v)) for v in GiftPackVersion),
        Figure("reminders_open", STOCK, "reminders", "未处理提醒", "open reminders"),
        *(Figure(f"reminders_open_{r}", STOCK, "reminders", f"未处理：{RULE_ZH[r]}", f"open: {_words(r)}")
          for r in ReminderRule),
        Figure("reminders_raised", FLOW, "reminders", "发出提醒", "reminders raised"),
        *(Figure(f"reminders_raised_{r}", FLOW, "reminders", f"发出：{RULE_ZH[r]}", f"raised: {_words(r)}")
          for r in ReminderRule),
    ]
    return f


FIGURES: tuple[Figure, ...] = tuple(_figures())
BY_KEY: Mapping[str, Figure] = {f.key: f for f in FIGURES}
STORED = tuple(f.key for f in FIGURES if f.kind in (STOCK, FLOW))
STOCKS = frozenset(f.key for f in FIGURES if f.kind == STOCK)
# What a period gives at its end (and its start): the stocks, and the stocks counted on read.
LEVELS = frozenset(f.key for f in FIGURES if f.kind in (STOCK, COUNTED))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


DERIVATIONS: dict[str, Callable[[Mapping[str, int]], float]] = {
    "service_hours": lambda v: round(v.get("service_minutes", 0) / 60, 1),
    "coverage": lambda v: _share(v.get("children_paired", 0), v.get("children", 0)),
    **{f"coverage_{c}": (lambda v, c=c: _share(v.get(f"children_paired_category_{c}", 0),
                                               v.get(f"children_category_{c}", 0))) for c in ChildCategory},
}


_ORDER = tuple(f.key for f in FIGURES)
_STORED = frozenset(f.key for f in FIGURES if f.kind != DERIVED)  # and the counted ones, when given


def complete(values: Mapping[str, int]) -> dict[str, int | float]:
    """Every figure in catalogue order: the stored and counted ones (0 where nothing was recorded),
    then worked out.
    (Filled into a template of every key in order: a region's sub-regions each need one, and a
    town's hundred villages made this the costliest step of its stats.)"""
    figures: dict[str, int | float] = dict.fromkeys(_ORDER, 0)
    figures.update({key: int(value) for key, value in values.items() if key in _STORED})
    for key, derive in DERIVATIONS.items():
        figures[key] = derive(figures)
    return figures


def label(key: str, lang: str) -> str:
    figure = BY_KEY[key]
    return figure.en if lang == "en" else figure.zh
