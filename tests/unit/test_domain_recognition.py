"""最美爱心妈妈, pure: a district or town office nominates a volunteer of its subtree, not withdrawn,
for a year begun, once; the city or province above awards or declines, once, on a day not before
the nomination; every other office, level or day is refused saying why."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.envelope import Actor, FederationLevel
from contracts.reporting.recognition import (AwardVolunteer, DeclineNomination, NominateVolunteer, NominationDeclined,
                                             ServiceRecord, VolunteerAwarded, VolunteerNominated, nomination_id)
from services.intake.domain import VolunteerState
from services.reporting.recognition.domain import (AWARDED, DECLINED, NOMINATED, decide_award, decide_decline,
                                                   decide_nominate, nomination_state)
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated

TODAY = date(2026, 12, 7)
HOME = "440105001101"  # a community of 海珠区, 广州市, 广东省
VOLUNTEER = VolunteerState(volunteer_id="v1", exists=True, region=HOME, kind="mother")
RECORD = ServiceRecord(as_of=TODAY, service_minutes=1200, activities=30, pairs=2, children=3, five_ones_judged=20,
                       five_ones_met=17, wishes_fulfilled=4)
OFFICES = {"district": ("440105", FederationLevel.district), "street": ("440105001", FederationLevel.street),
           "city": ("4401", FederationLevel.city), "province": ("44", FederationLevel.province),
           "national": ("CN", FederationLevel.national), "community": ("440105001101", FederationLevel.community),
           "other district": ("440117", FederationLevel.district), "other city": ("4403", FederationLevel.city),
           "other province": ("51", FederationLevel.province)}
NOMINATED_EVENT = VolunteerNominated(nomination_id="2026-v1", volunteer_id="v1", year=2026, region=HOME,
                                     nominated_by="440105000000", nominator_level=FederationLevel.district,
                                     nominated_on=date(2026, 11, 20), record=RECORD)


def actor(office: str) -> Actor:
    code, level = OFFICES[office]
    return Actor(operator_id=f"op-{office}", level=level, region=code, role="caseworker")


def nominate(office: str = "district", volunteer: VolunteerState = VOLUNTEER, year: int = 2026, given=(),
             on: date | None = None, record: ServiceRecord = RECORD):
    command = NominateVolunteer(actor=actor(office), volunteer_id="v1", year=year, nominated_on=on, record=record)
    return decide_nominate(nomination_state(list(given)), volunteer, command, nomination_id="2026-v1", today=TODAY)


def award(office: str = "city", given=(NOMINATED_EVENT,), on: date | None = None,
          volunteer: VolunteerState = VOLUNTEER):
    command = AwardVolunteer(actor=actor(office), nomination_id="2026-v1", awarded_on=on)
    return decide_award(nomination_state(list(given)), volunteer, command, today=TODAY)


def decline(office: str = "province", given=(NOMINATED_EVENT,), on: date | None = None):
    command = DeclineNomination(actor=actor(office), nomination_id="2026-v1", reason="事迹材料不完整", declined_on=on)
    return decide_decline(nomination_state(list(given)), command, today=TODAY)


def test_a_district_or_town_office_nominates_a_volunteer_of_its_subtree_with_her_record() -> None:
    [event] = nominate("district", on=date(2026, 11, 20))
    assert event == NOMINATED_EVENT
    [by_town] = nominate("street")
    assert (by_town.nominated_by, by_town.nominator_level, by_town.nominated_on) == (
        "440105001000", FederationLevel.street, TODAY)
    assert nomination_state([event]).status == NOMINATED


def test_the_nomination_id_is_the_volunteer_and_the_year_and_fits_an_id() -> None:
    assert nomination_id("v1", 2026) == "2026-v1"
    long = nomination_id("x" * 64, 2026)
    assert len(long) <= 64 and long.startswith("2026-") and long == nomination_id("x" * 64, 2026)
    assert long != nomination_id("y" * 64, 2026)


@pytest.mark.parametrize("office", ["city", "province", "national", "community"])
def test_only_a_district_or_town_office_nominates(office: str) -> None:
    with pytest.raises(Forbidden, match="a nomination is for a district or street office"):
        nominate(office)


def test_a_volunteer_outside_the_nominators_subtree_is_refused() -> None:
    with pytest.raises(Forbidden, match="may not act on volunteer v1 in 440105001101"):
        nominate("other district")


def test_nominations_refused_for_an_unknown_or_withdrawn_volunteer_a_year_not_begun_or_a_second_time() -> None:
    with pytest.raises(NotFound, match="volunteer v1 is not recruited"):
        nominate(volunteer=VolunteerState())
    with pytest.raises(RuleViolated, match="has withdrawn"):
        nominate(volunteer=VolunteerState(volunteer_id="v1", exists=True, region=HOME, withdrawn=True))
    with pytest.raises(InvalidCommand, match="year: 2027 has not begun on 2026-12-07"):
        nominate(year=2027)
    with pytest.raises(InvalidCommand, match="year: 2026 has not begun on 2025-12-01"):
        nominate(on=date(2025, 12, 1))
    with pytest.raises(InvalidCommand, match="nominated_on: 2026-12-08 is in the future"):
        nominate(on=date(2026, 12, 8))
    with pytest.raises(RuleViolated, match="already nominated for 2026 by office 440105000000 on 2026-11-20"):
        nominate("street", given=[NOMINATED_EVENT])
    assert nominate(year=2025)[0].year == 2025  # last year's recognition, nominated this year


def test_the_city_or_province_above_awards_her_once() -> None:
    [awarded] = award("city", on=date(2026, 12, 1))
    assert awarded == VolunteerAwarded(nomination_id="2026-v1", volunteer_id="v1", year=2026,
                                       awarded_by="440100000000", level=FederationLevel.city,
                                       awarded_on=date(2026, 12, 1))
    state = nomination_state([NOMINATED_EVENT, awarded])
    assert (state.status, state.decided_on) == (AWARDED, date(2026, 12, 1))
    with pytest.raises(RuleViolated, match="2026-v1 was already awarded on 2026-12-01"):
        award("province", given=[NOMINATED_EVENT, awarded])
    with pytest.raises(RuleViolated, match="already awarded"):
        decline("province", given=[NOMINATED_EVENT, awarded])
    assert award("province")[0].level == FederationLevel.province


@pytest.mark.parametrize("office", ["district", "street", "national", "community"])
def test_only_a_city_or_province_office_reviews(office: str) -> None:
    with pytest.raises(Forbidden, match="reviewing a nomination is for a city or province office"):
        award(office)
    with pytest.raises(Forbidden, match="reviewing a nomination is for a city or province office"):
        decline(office)


@pytest.mark.parametrize("office", ["other city", "other province"])
def test_a_reviewer_whose_subtree_does_not_hold_the_volunteer_is_refused(office: str) -> None:
    with pytest.raises(Forbidden, match="may not act on nomination 2026-v1 in 440105001101"):
        award(office)
    with pytest.raises(Forbidden, match="may not act on nomination 2026-v1"):
        decline(office)


def test_reviews_refused_for_no_nomination_a_day_out_of_order_or_a_withdrawn_volunteer() -> None:
    with pytest.raises(NotFound, match="nomination 2026-v1 does not exist"):
        award(given=[])
    with pytest.raises(InvalidCommand, match="awarded_on: 2026-11-19 is before the volunteer was nominated on 2026-11-20"):
        award(on=date(2026, 11, 19))
    with pytest.raises(InvalidCommand, match="declined_on: 2026-12-08 is in the future"):
        decline(on=date(2026, 12, 8))
    withdrawn = VolunteerState(volunteer_id="v1", exists=True, region=HOME, withdrawn=True)
    with pytest.raises(RuleViolated, match="has withdrawn since she was nominated"):
        award(volunteer=withdrawn)


def test_a_declined_nomination_says_why_and_is_not_awarded_after() -> None:
    [declined] = decline("province")
    assert declined == NominationDeclined(nomination_id="2026-v1", volunteer_id="v1", year=2026,
                                          declined_by="440000000000", level=FederationLevel.province,
                                          declined_on=TODAY, reason="事迹材料不完整")
    assert nomination_state([NOMINATED_EVENT, declined]).status == DECLINED
    with pytest.raises(RuleViolated, match="was already declined on 2026-12-07"):
        award(given=[NOMINATED_EVENT, declined])
