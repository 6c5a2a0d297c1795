"""Why a sign-in or a token was refused. The HTTP layer answers 401 (429 for `LockedOut`) with the
message as it stands: none of them says whether a username exists, or repeats a password."""

from __future__ import annotations


class SignInRefused(Exception):
    """Base: the request is not from a signed-in account."""


class WrongCredentials(SignInRefused):
    def __init__(self) -> None:
        super().__init__("wrong username or password")


class LockedOut(SignInRefused):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins for this username; try again in {retry_after} s")
        self.retry_after = retry_after


class TokenExpired(SignInRefused):
    def __init__(self) -> None:
        super().__init__("the token has expired")


class TokenInvalid(SignInRefused):
    def __init__(self) -> None:
        super().__init__("the token is not valid")


class AccountDisabled(SignInRefused):
    def __init__(self) -> None:
        super().__init__("the account is disabled")


class TokenEnded(SignInRefused):
    def __init__(self) -> None:
        super().__init__("the token was ended by a change to the account (a new password, a role taken or the "
                         "account disabled); sign in again")
