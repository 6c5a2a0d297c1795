"""Domain errors shared by every context; the command endpoints map each to a reply code."""

from __future__ import annotations

from contracts.replies import ErrorCode, ErrorDetail


class AixinError(Exception):
    code: ErrorCode = ErrorCode.internal

    def __init__(self, message: str, details: list[ErrorDetail] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidCommand(AixinError):
    """Invalid input; `field` is the dotted path of the offending field (the HTTP 422 `loc`)."""

    code = ErrorCode.invalid

    def __init__(self, field: str, problem: str) -> None:
        loc: list[str | int] = [int(p) if p.isdigit() else p for p in field.split(".")]
        super().__init__(f"{field}: {problem}", [ErrorDetail(loc=loc, msg=problem)])


class NotFound(AixinError):
    code = ErrorCode.not_found


class RuleViolated(AixinError):
    code = ErrorCode.rule_violated


class Forbidden(AixinError):
    code = ErrorCode.forbidden


class ConcurrencyConflict(AixinError):
    """Another writer appended to the aggregate since its history was read."""

    code = ErrorCode.conflict

    def __init__(self, aggregate: str, detail: str = "") -> None:
        super().__init__(
            f"{aggregate} was changed by another operator at the same moment; "
            f"reload and try again{': ' + detail if detail else ''}"
        )
        self.aggregate = aggregate


class UnreadableHistory(AixinError):
    """An aggregate's history holds a message this version cannot read (not JSON, not an aixin
    event, data that does not fit its type). Deciding on the rest would ignore what it says, so
    commands on that aggregate are refused, naming where it stands, until an operator repairs it."""

    code = ErrorCode.conflict

    def __init__(self, aggregate: str, seq: int, reason: str) -> None:
        super().__init__(f"{aggregate} cannot be changed: its event at stream sequence {seq} cannot be "
                         f"read ({reason}); it is in the read models' dead letters")
        self.aggregate, self.seq = aggregate, seq
