"""What the API keeps worked out ahead: the compliance a home page shows on a day, this month's
judged that day and last month's judged on its last day (the card's change is reckoned from it)."""

from datetime import date

from services.api.warm import judged


def test_a_home_page_shows_this_months_compliance_and_last_months_at_its_end() -> None:
    assert judged(date(2026, 3, 1)) == [("2026-03", date(2026, 3, 1)), ("2026-02", date(2026, 2, 28))]
    assert judged(date(2026, 1, 15)) == [("2026-01", date(2026, 1, 15)), ("2025-12", date(2025, 12, 31))]
