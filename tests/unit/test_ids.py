"""Ids derived from command ids and from identity numbers must never change: a re-import or a
retried command finds what it created only if it derives the same ids as before (pure)."""

from __future__ import annotations

import hashlib
import hmac
from uuid import uuid5

import pytest

from services.intake.identity import _keyed
from services.shared.unit_of_work import AIXIN_NAMESPACE, derived_id, derived_uuid


@pytest.mark.parametrize("command_id, purpose", [("cmd-1", "event/0"), ("导入-行-7", "child"), ("", "")])
def test_derived_ids_are_the_uuid5_of_command_and_purpose(command_id: str, purpose: str) -> None:
    expected = uuid5(AIXIN_NAMESPACE, f"{command_id}/{purpose}")
    assert derived_uuid(command_id, purpose) == expected
    assert derived_id(command_id, purpose) == expected.hex
    assert derived_uuid(command_id, purpose).version == 5


def test_ids_from_identity_numbers_are_keyed_hashes() -> None:
    secret = bytes(range(32))
    expected = hmac.new(secret, "child/id-number\x1f440105201603080071".encode(), hashlib.sha256).hexdigest()
    assert _keyed(secret, "child/id-number", "440105201603080071") == expected[:32]


def test_the_namespace_of_derived_ids_is_fixed() -> None:
    assert derived_id("stable", "event/0") == "48e5f7459301538a8a3a05326aec1749"  # ids in stored logs depend on it
