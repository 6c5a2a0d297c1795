"""A region is given by its real division code everywhere: the API's region reads answer 404 for a
well-formed code that names no division and 422 for a malformed one; the CLI refuses both before it
asks the platform anything, with one line and exit code 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from services.api.app import create_api
from services.cli.app import app
from services.projections import all_projections
from services.shared.db import make_engine
from services.shared.follower.projector import Projector
from tests.e2e.test_http_api import signed_in_client

READS = ("/regions/{code}/stats", "/regions/{code}/children")
# Every read of a region refuses a code that names no division, not only the figures.
EVERY_REGION_READ = (*READS, "/regions/{code}/pools", "/regions/{code}/rematch-queue", "/regions/{code}/pair-modes",
                     "/regions/{code}/batch-proposal", "/regions/{code}/gift-packs", "/regions/{code}/concerns",
                     "/regions/{code}/queues/reminders")


@pytest.fixture
async def reader(nc, event_log, deps, tmp_path):
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    await Projector(event_log, db, all_projections()).create_schema()
    async with signed_in_client(create_api(nc, event_log, db, deps.keys), event_log, tmp_path) as http:
        yield http
    await db.dispose()


@pytest.mark.parametrize("path", READS)
async def test_a_real_village_town_and_county_are_read(reader, path) -> None:
    for code in ("440117104001", "440117104", "440117", "CN"):
        assert (await reader.get(path.format(code=code))).status_code == 200, code
    stats = (await reader.get("/regions/440117104/stats")).json()
    assert stats["name"] == "良口镇" and stats["subregions"][0]["name"] == "良口社区居委会"


@pytest.mark.parametrize("path", EVERY_REGION_READ)
@pytest.mark.parametrize("code", ["999999", "440117104999", "440199"])
async def test_an_unknown_code_is_404_naming_it(reader, path, code) -> None:
    answer = await reader.get(path.format(code=code))
    assert answer.status_code == 404
    assert f"region '{code}' is not a known division code" in answer.json()["message"]


@pytest.mark.parametrize("path", READS)
async def test_a_malformed_code_is_422(reader, path) -> None:
    answer = await reader.get(path.format(code="44010"))
    assert answer.status_code == 422
    assert "is not 'CN' or a division code" in answer.json()["message"]


@pytest.mark.parametrize(("argv", "message"), [
    (["stats", "999999"], "region '999999' is not a known division code"),
    (["children", "440117104999"], "region '440117104999' is not a known division code"),
    (["match", "pools", "440199"], "region '440199' is not a known division code"),
    (["stats", "44x"], "is not 'CN' or a division code of 2, 4, 6, 9 or 12 digits"),
])
def test_the_cli_refuses_an_unknown_or_malformed_region(tmp_path, argv, message) -> None:
    result = CliRunner().invoke(app, [*argv, "--data-dir", str(tmp_path)])  # nothing runs there
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output
