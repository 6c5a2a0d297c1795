"""Constrained text for command fields: every string a client may send has a length bound and a
character check, so that no input can reach a handler, a sealed note or a log line malformed.

Why each rule: a lone surrogate (U+D800-U+DFFF) is not Unicode text and cannot be encoded as UTF-8,
so it would fail only later, when the command is serialised; control and format characters (NUL,
ESC sequences, bidi overrides, zero-width spaces) make a name that looks like another or rewrites a
terminal; a name of spaces (U+3000 included) names nobody. The bounds are those the fields had: no
value valid before these types becomes invalid, but for such characters.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

# Free text may break lines and indent; a browser's textarea sends CRLF, so CR is allowed before LF.
_TEXT_CONTROLS = frozenset("\n\t")
# Joiners are format characters that emoji sequences and some scripts need inside free text.
_TEXT_FORMATS = frozenset("\u200c\u200d")


def _check(value: str, *, multiline: bool) -> str:
    # Printable text holds no character of the categories refused below (Cc, Cf, Cs, Zl, Zp): one
    # pass in C for nearly every value. What is not printable (U+3000, private use...) is judged
    # character by character.
    if value.isprintable():
        return value
    for index, char in enumerate(value):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"lone surrogate U+{code:04X} at character {index}: not Unicode text")
        category = unicodedata.category(char)
        if multiline and (char in _TEXT_CONTROLS or (char == "\r" and value[index + 1:index + 2] == "\n")):
            continue
        if category == "Cc" or (category == "Cf" and not (multiline and char in _TEXT_FORMATS)):
            raise ValueError(f"control character U+{code:04X} at character {index} is not allowed here")
        if not multiline and category in ("Zl", "Zp"):
            raise ValueError(f"line separator U+{code:04X} at character {index}: this field is one line")
    return value


def _unicode(value: object) -> object:
    """Runs before pydantic's own str check, whose word for a lone surrogate is only 'unable to parse
    raw data as a unicode string'; this one says which and where."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"lone surrogate U+{ord(value[error.start]):04X} at character {error.start}: "
                             "not Unicode text") from None
    return value


_UNICODE = BeforeValidator(_unicode)


def _line(value: str) -> str:
    return _check(value, multiline=False)


def _text(value: str) -> str:
    return _check(value, multiline=True)


def Line(max_length: int, min_length: int = 1) -> type[str]:
    """One line of at most `max_length` characters, trimmed of surrounding whitespace (U+3000 too),
    so a blank value is refused as too short."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length), AfterValidator(_line), _UNICODE]


def Token(max_length: int) -> type[str]:
    """An opaque key chosen by the client (a command id): taken exactly as sent, never trimmed, since
    a retry must name the same key; one line of 1-`max_length` characters."""
    return Annotated[str, Field(min_length=1, max_length=max_length), AfterValidator(_line), _UNICODE]


Name = Line(50)
"""A person's name: 1-50 characters once trimmed ("欧阳娜娜", "Li Xiaoming", "买买提·艾力")."""

Label = Line(100)
"""A short label: a team's, station's, fund's or enterprise's name, a wish's item, a certification."""

Address = Line(200)
"""A postal address, on one line."""

Reason = Line(200)
"""A one-line reason (withdrawing a volunteer, closing a station)."""

Specialty = Line(50)
Specialties = Annotated[list[Specialty], Field(max_length=20)]
"""What a volunteer is good at: at most 20 entries of at most 50 characters."""

Text = Annotated[str, Field(max_length=2000), AfterValidator(_text), _UNICODE]
"""Free text (notes): at most 2000 characters; lines and tabs allowed, other control characters not."""

NoteText = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_text), _UNICODE]
"""Free text that must be given."""


def ShortText(max_length: int, min_length: int = 0) -> type[str]:
    """Free text with a tighter bound than `Text` (a risk assessment's reason: 500)."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_text),
                     _UNICODE]


Code = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")]
"""A code printed on a card: visible ASCII only, as it is typed."""

RegionCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12,
                                              pattern=r"^[0-9A-Za-z]+$")]
"""A division code as commands name it (digits, or 'CN'); whether it exists is the service's check."""
