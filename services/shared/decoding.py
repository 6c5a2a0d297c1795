"""Decoding a command message: whatever the bytes are, either a command or a `ValueError`-like
refusal that says what is wrong and where — never an exception the endpoint did not expect.

pydantic's JSON parser already refuses bad UTF-8, lone surrogate escapes and deep nesting, but in
its own words ("unexpected end of hex escape", "invalid unicode code point"); the checks here run
first on those failures only, so a valid message pays nothing for them.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from contracts.commands import Command

# A \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or a \uDC00-\uDFFF not preceded by one.
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)(?:\\\\)*(\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})")


class Undecodable(Exception):
    """The message is not a JSON command at all; `where` is a field path or 'body'."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def decode(model: type[Command], body: bytes) -> Command:
    """The command in `body`; raises `ValidationError` (field by field) or `Undecodable`."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            _explain_bad_json(body)
        raise
    except RecursionError:
        raise Undecodable("body", "nested too deeply to be a command") from None
    except Exception as error:  # anything else the parser may raise: still the message's fault
        raise Undecodable("body", f"could not be decoded ({type(error).__name__}: {error})") from None


def _explain_bad_json(body: bytes) -> None:
    """Raise `Undecodable` with a plain reason when the JSON is bad for one we can name."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Undecodable("body", f"not UTF-8 text: byte 0x{body[error.start]:02x} at offset "
                                  f"{error.start} ({error.reason})") from None
    if match := _LONE_SURROGATE.search(body):
        raise Undecodable("body", f"a string holds the lone surrogate {match.group(1).decode()} at "
                                  f"offset {match.start(1)}: it is not Unicode text") from None
