"""The command catalogue (contracts.catalogue), which the HTTP API offers, and the services' ROUTES
tables, which handle the commands, name the same commands with the same models, in the same order."""

from __future__ import annotations

import pytest

from contracts.catalogue import CATALOGUE
from services.activity import app as activity
from services.intake import app as intake
from services.pairing import app as pairing
from services.reporting import app as reporting

SERVICES = {app.CONTEXT: app.ROUTES for app in (intake, pairing, activity, reporting)}


def test_every_context_with_commands_is_in_the_catalogue() -> None:
    assert set(CATALOGUE) == set(SERVICES)


@pytest.mark.parametrize("context", sorted(SERVICES))
def test_the_catalogue_and_the_service_agree(context: str) -> None:
    handled = {name: model for name, (model, _handler) in SERVICES[context].items()}
    assert list(CATALOGUE[context].items()) == list(handled.items())
