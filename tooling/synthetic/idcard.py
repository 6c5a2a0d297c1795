"""Well-formed resident identity numbers for synthetic lists and tests, never a real person's: the
caller picks the serial, and the check digit is the one the product checks (`services.intake.idcard`)."""

from __future__ import annotations

from datetime import date

from contracts.intake.registration import Sex
from services.intake.idcard import check_character


def synthetic_id_number(county: str, born: date, sex: Sex, serial: int) -> str:
    """A well-formed number for tests and benchmarks (never a real person's: the caller picks the
    serial); `serial` 0-499 gives the sequence digits, whose last digit carries the sex."""
    sequence = serial % 500 * 2 + (1 if sex is Sex.male else 0)
    first17 = f"{county}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
