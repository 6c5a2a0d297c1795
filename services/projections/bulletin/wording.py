"""The 通报 in words, Chinese and English, for the files and the terminal (the dashboard's words
are its catalogs'): each card's name, each reason as a sentence with its value and threshold, each
submission's status."""

from __future__ import annotations

CARD = {"zh": {"red": "红牌", "yellow": "黄牌", "blue": "蓝牌", None: "—"},
        "en": {"red": "red", "yellow": "yellow", "blue": "blue", None: "—"}}
STATUS = {"zh": {"submitted": "已报送", "returned": "已退回", "accepted": "已通过", "none": "未报送",
                 "pending": "未到截止日", "not_awaited": "—"},
          "en": {"submitted": "submitted", "returned": "returned", "accepted": "accepted", "none": "not submitted",
                 "pending": "not yet due", "not_awaited": "—"}}
MEASURE = {"zh": {"timeliness": "报送及时性", "coverage": "结对覆盖率", "compliance": "五个一达标率",
                  "overdue": "联系逾期"},
           "en": {"timeliness": "timeliness", "coverage": "pairing coverage", "compliance": "five ones kept",
                  "overdue": "contacts overdue"}}
# {v}: the value (days or %), {t}: the threshold it crossed.
REASON = {
    "zh": {"not_submitted": "截止日后{v}天仍未报送", "late": "迟报{v}天", "deadline_near": "距截止日{v}天，尚未报送",
           "below_red": "{m}{v}%，低于红牌线{t}%", "below_yellow": "{m}{v}%，低于黄牌线{t}%",
           "above_red": "{m}结对占{v}%，高于红牌线{t}%", "above_yellow": "{m}结对占{v}%，高于黄牌线{t}%"},
    "en": {"not_submitted": "not submitted {v} days after the deadline", "late": "submitted {v} days late",
           "deadline_near": "not submitted, deadline in {v} days",
           "below_red": "{m} {v}%, below the red line of {t}%", "below_yellow": "{m} {v}%, below the yellow line of {t}%",
           "above_red": "{m} in {v}% of pairs, above the red line of {t}%",
           "above_yellow": "{m} in {v}% of pairs, above the yellow line of {t}%"},
}
THRESHOLD = {"below_red": "{}_red", "below_yellow": "{}_yellow", "above_red": "{}_red", "above_yellow": "{}_yellow"}


def status(row: dict) -> str:
    """Where a row's month stands, as a key of STATUS: its submission's status; else not submitted,
    not yet due, or not awaited (an office whose month is not asked for)."""
    if not row["deadline"]:
        return "not_awaited"
    return row["status"] or ("pending" if row["days_late"] is None else "none")


def reason(card: dict, thresholds: dict, lang: str = "zh") -> str:
    """One card's reason: `card` as the bulletin's rows give it ({card, measure, reason, value})."""
    pattern = THRESHOLD.get(card["reason"])
    threshold = thresholds.get(pattern.format(card["measure"])) if pattern else None
    value = card["value"]
    shown = f"{value:g}" if isinstance(value, float) else value
    return REASON[lang][card["reason"]].format(v=shown, t=threshold, m=MEASURE[lang][card["measure"]])


def reasons(row: dict, thresholds: dict, lang: str = "zh") -> str:
    return ("；" if lang == "zh" else "; ").join(reason(c, thresholds, lang) for c in row["cards"])


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"
