"""The 18-digit resident identity number (GB 11643-1999): check digit, birth date and sex.

Layout: 6 digits of the county of household registration, 8 digits of birth date (YYYYMMDD),
3 digits of sequence (odd for men, even for women), and a check digit over the first 17
(ISO 7064 MOD 11-2: weighted sum mod 11 mapped onto '10X98765432').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.intake.registration import Sex

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The number is malformed, fails its check digit or names no real birth date."""


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, a final 'x' written upper-case
    birth_date: date
    sex: Sex


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_id_number(text: str) -> IdNumber:
    number = text.strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(f"{text!r} is not 18 characters (17 digits and a digit or X)")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(f"check digit is {number[17]}, the first 17 digits give {expected}")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"digits 7-14 ({number[6:14]}) are not a calendar date") from None
    return IdNumber(number, born, Sex.male if int(number[16]) % 2 else Sex.female)
