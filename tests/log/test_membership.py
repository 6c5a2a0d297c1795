"""Registering is no oracle: an office outside whose subtree a person is on file learns that she is,
not her id nor where she is registered."""

from __future__ import annotations

from contracts.envelope import Actor, FederationLevel
from contracts.replies import ErrorCode
from services.intake.domain import REGISTERED_ELSEWHERE
from tests.log.test_commands import CHILD, error_of, ok, send

SICHUAN = Actor(operator_id="op-sc", level=FederationLevel.province, region="51")
IN_SICHUAN = {**CHILD, "region": "510623100004"}


async def test_a_child_on_file_in_another_subtree_is_said_to_be_so_without_id_or_region(deps) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]  # in Guangdong
    reply = await send(deps, "register_child", actor=SICHUAN, **IN_SICHUAN)
    assert error_of(reply)[0] is ErrorCode.rule_violated
    assert reply.error.message == REGISTERED_ELSEWHERE
    assert child_id not in reply.error.message and "44" not in reply.error.message


async def test_a_bulk_row_of_a_child_on_file_elsewhere_names_neither_id_nor_region(deps) -> None:
    await ok(deps, "register_child", **CHILD)
    row = {**IN_SICHUAN, "actor": SICHUAN.model_dump(mode="json")}
    [outcome] = (await send(deps, "register_children", actor=SICHUAN, rows=[row])).result["rows"]
    assert (outcome["status"], outcome.get("id"), outcome.get("region")) == ("already_registered", None, None)
    assert outcome["message"] == REGISTERED_ELSEWHERE


async def test_within_her_subtree_an_office_is_told_which_child_and_where(deps) -> None:
    child_id = (await ok(deps, "register_child", **CHILD))["child_id"]
    reply = await send(deps, "register_child", **CHILD, command_id="again-later")
    assert child_id in reply.error.message and "440105001101" in reply.error.message
