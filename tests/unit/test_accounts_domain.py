"""The accounts' pure rules: an account made of its events, an admin's reach, lock-out, tokens, and
the caller the HTTP routes see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import HTTPException

from contracts.accounts import AccountCreated, AccountDisabled, PasswordChanged, Role, RoleGranted, RoleRevoked
from contracts.regions import parse_region
from services.accounts import domain
from services.accounts.domain import Account, AccountExists
from services.accounts.errors import TokenExpired, TokenInvalid
from services.accounts.lockout import Lockout
from services.accounts.tokens import TokenIssuer
from services.api.auth import Caller
from services.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
NATIONAL = Account("admin", parse_region("CN"), frozenset({Role.admin}))
GD_ADMIN = Account("gd-admin", parse_region("44"), frozenset({Role.admin}))
GZ_WORKER = Account("gz-worker", parse_region("4401"), frozenset({Role.caseworker}))
BJ_WORKER = Account("bj-worker", parse_region("11"), frozenset({Role.caseworker}))


def test_an_account_is_made_of_its_events() -> None:
    account = domain.account_of([
        AccountCreated(account_id="gz-worker", office="440100000000", level="city", roles=["caseworker"]),
        RoleGranted(account_id="gz-worker", role=Role.approver),
        RoleRevoked(account_id="gz-worker", role=Role.caseworker),
        PasswordChanged(account_id="gz-worker"),
    ])
    assert account == Account("gz-worker", parse_region("4401"), frozenset({Role.approver}), token_version=2)
    assert domain.account_of([*[], AccountDisabled(account_id="x1")]) is None
    assert domain.account_of([]) is None


def test_created_roles_are_one_sorted_set() -> None:
    event = AccountCreated(account_id="ab", office="CN", level="national", roles=["viewer", "admin", "viewer"])
    assert event.roles == [Role.admin, Role.viewer]


@pytest.mark.parametrize("office", ["CN", "11", "110101", "4501"])
def test_an_admin_of_44_cannot_create_above_or_beside_her_office(office: str) -> None:
    with pytest.raises(Forbidden, match="outside gd-admin's office"):
        domain.decide_create(GD_ADMIN, "someone", parse_region(office), frozenset({Role.viewer}), None)


@pytest.mark.parametrize("office", ["44", "4401", "440105", "440105001"])
def test_an_admin_creates_at_her_office_and_below(office: str) -> None:
    [event] = domain.decide_create(GD_ADMIN, "someone", parse_region(office), frozenset({Role.viewer}), None)
    assert (event.office, event.roles) == (parse_region(office).code, [Role.viewer])


def test_creating_needs_an_admin_a_good_name_a_role_and_a_free_name() -> None:
    with pytest.raises(Forbidden, match="not an admin"):
        domain.decide_create(GZ_WORKER, "someone", parse_region("4401"), frozenset({Role.viewer}), None)
    with pytest.raises(InvalidCommand, match="username"):
        domain.decide_create(NATIONAL, "No.Dots", parse_region("44"), frozenset({Role.viewer}), None)
    with pytest.raises(InvalidCommand, match="role"):
        domain.decide_create(NATIONAL, "someone", parse_region("44"), frozenset(), None)
    with pytest.raises(AccountExists, match="exists already"):
        domain.decide_create(NATIONAL, "gz-worker", parse_region("44"), frozenset({Role.viewer}), GZ_WORKER)


def test_grant_and_revoke_within_the_subtree_only() -> None:
    assert domain.decide_grant(GD_ADMIN, GZ_WORKER, "gz-worker", Role.caseworker) == []  # held already
    assert domain.decide_grant(GD_ADMIN, GZ_WORKER, "gz-worker", Role.approver) == [
        RoleGranted(account_id="gz-worker", role=Role.approver)]
    with pytest.raises(Forbidden):
        domain.decide_grant(GD_ADMIN, BJ_WORKER, "bj-worker", Role.approver)
    with pytest.raises(Forbidden):
        domain.decide_grant(GD_ADMIN, NATIONAL, "admin", Role.viewer)
    with pytest.raises(NotFound):
        domain.decide_grant(GD_ADMIN, None, "ghost", Role.viewer)
    with pytest.raises(RuleViolated, match="without a role"):
        domain.decide_revoke(GD_ADMIN, GZ_WORKER, "gz-worker", Role.caseworker)
    assert domain.decide_revoke(GD_ADMIN, GZ_WORKER, "gz-worker", Role.viewer) == []


def test_an_admin_can_neither_disable_herself_nor_take_her_own_admin_role() -> None:
    with pytest.raises(RuleViolated, match="cannot disable her own account"):
        domain.decide_disable(GD_ADMIN, GD_ADMIN, "gd-admin")
    both = Account("gd-admin", parse_region("44"), frozenset({Role.admin, Role.viewer}))
    with pytest.raises(RuleViolated, match="own admin role"):
        domain.decide_revoke(both, both, "gd-admin", Role.admin)
    assert domain.decide_disable(NATIONAL, GD_ADMIN, "gd-admin") == [AccountDisabled(account_id="gd-admin")]


def test_a_disabled_account_stays_so_and_takes_no_other_change() -> None:
    gone = Account("gz-worker", parse_region("4401"), frozenset({Role.caseworker}), disabled=True)
    assert domain.decide_disable(GD_ADMIN, gone, "gz-worker") == []
    with pytest.raises(RuleViolated, match="disabled"):
        domain.decide_grant(GD_ADMIN, gone, "gz-worker", Role.viewer)
    with pytest.raises(RuleViolated, match="disabled"):
        domain.decide_password(gone, gone, "gz-worker")


def test_one_changes_her_own_password_and_an_admin_those_she_manages() -> None:
    assert domain.decide_password(GZ_WORKER, GZ_WORKER, "gz-worker") == [PasswordChanged(account_id="gz-worker")]
    assert domain.decide_password(GD_ADMIN, GZ_WORKER, "gz-worker") == [PasswordChanged(account_id="gz-worker")]
    with pytest.raises(Forbidden):
        domain.decide_password(GZ_WORKER, BJ_WORKER, "bj-worker")


def test_passwords_offices_and_roles_are_checked_without_repeating_a_password() -> None:
    with pytest.raises(InvalidCommand) as short:
        domain.check_password("tiny-pass")
    assert "tiny-pass" not in str(short.value)
    with pytest.raises(InvalidCommand, match="office"):
        domain.office_named("4x")
    with pytest.raises(InvalidCommand, match="'boss' is not a role"):
        domain.roles_named(["viewer", "boss"])


def test_five_failures_within_a_minute_lock_for_a_minute() -> None:
    lockout = Lockout()
    for seconds in range(4):
        lockout.failed("admin", T0 + timedelta(seconds=seconds))
    assert lockout.wait("admin", T0 + timedelta(seconds=4)) == 0
    lockout.failed("admin", T0 + timedelta(seconds=4))
    assert lockout.wait("admin", T0 + timedelta(seconds=4)) == 60
    assert lockout.wait("admin", T0 + timedelta(seconds=34)) == 30
    assert lockout.wait("other", T0 + timedelta(seconds=34)) == 0
    assert lockout.wait("admin", T0 + timedelta(seconds=64)) == 0


def test_old_failures_and_a_success_do_not_count() -> None:
    lockout = Lockout()
    for seconds in (0, 1, 2, 3):
        lockout.failed("admin", T0 + timedelta(seconds=seconds))
    lockout.failed("admin", T0 + timedelta(seconds=61))  # the first ones are older than a minute
    assert lockout.wait("admin", T0 + timedelta(seconds=61)) == 0
    for _ in range(4):
        lockout.failed("b", T0)
    lockout.succeeded("b")
    lockout.failed("b", T0)
    assert lockout.wait("b", T0) == 0


def test_tokens_name_the_account_and_expire() -> None:
    now = [T0]
    issuer = TokenIssuer(b"k" * 32, clock=lambda: now[0])
    issued = issuer.issue("gz-worker")
    assert issued.expires_in == 900 and issuer.username_of(issued.access_token) == "gz-worker"
    now[0] = T0 + timedelta(minutes=15)
    with pytest.raises(TokenExpired):
        issuer.username_of(issued.access_token)
    with pytest.raises(TokenInvalid):
        TokenIssuer(b"x" * 32, clock=lambda: T0).username_of(issued.access_token)
    with pytest.raises(TokenInvalid):
        issuer.username_of("garbage")


def test_a_new_password_a_role_taken_or_disabling_moves_the_token_version() -> None:
    made = AccountCreated(account_id="gz-worker", office="4401", level="city", roles=["caseworker", "viewer"])
    steps = [(RoleGranted(account_id="gz-worker", role=Role.approver), 0),
             (PasswordChanged(account_id="gz-worker"), 1), (RoleRevoked(account_id="gz-worker", role=Role.viewer), 2),
             (RoleGranted(account_id="gz-worker", role=Role.viewer), 2), (AccountDisabled(account_id="gz-worker"), 3)]
    for count, (_event, version) in enumerate(steps, start=1):
        assert domain.account_of([made, *(e for e, _v in steps[:count])]).token_version == version


def test_a_token_carries_the_version_it_was_issued_at() -> None:
    issuer = TokenIssuer(b"k" * 32, clock=lambda: T0)
    assert issuer.claims_of(issuer.issue("gz-worker", 3).access_token) == ("gz-worker", 3)
    assert issuer.claims_of(issuer.issue("gz-worker").access_token) == ("gz-worker", 0)


def test_the_caller_acts_in_a_role_within_her_office() -> None:
    caller = Caller("gz-worker", parse_region("4401"), frozenset({Role.caseworker, Role.viewer}))
    assert caller.has(Role.approver, Role.caseworker) and not caller.has(Role.admin)
    assert caller.sees_personal_data
    assert not Caller("v", parse_region("44"), frozenset({Role.viewer, Role.system})).sees_personal_data
    actor = caller.actor(Role.caseworker)
    assert (actor.operator_id, actor.level, actor.region, actor.role) == (
        "gz-worker", "city", "440100000000", "caseworker")
    assert caller.require(Role.approver, Role.caseworker) is Role.caseworker
    with pytest.raises(HTTPException) as refused:
        caller.require(Role.admin)
    assert refused.value.status_code == 403
    caller.require_within(parse_region("440105"))
    with pytest.raises(HTTPException) as outside:
        caller.require_within(parse_region("4403"), "child c1")
    assert outside.value.status_code == 403 and "child c1 is outside" in outside.value.detail
