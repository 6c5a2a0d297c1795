"""compose.yaml and the Dockerfile cannot be started here (no Docker engine): the compose file is
validated against the Compose Specification's JSON Schema and its structure checked, and what its
containers run — the credentials job, a NATS node's configuration, the image's entry point — is run
as processes, with the image's paths mapped into a temporary directory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml

from services.platform.embedded_nats import free_port, server_binary
from services.platform.runtime import SERVICES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "deploy" / "compose-spec" / "compose-spec.json"
NODES = ("nats-1", "nats-2", "nats-3")


def load() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def instruction(name: str) -> list[str]:
    """The exec form (a JSON array) of the runtime stage's ENTRYPOINT or CMD."""
    [line] = re.findall(rf"^{name} (\[.*\])$", dockerfile(), flags=re.MULTILINE)
    return json.loads(line)


def container_command(service: dict) -> list[str]:
    """What a container runs: its entrypoint (the image's unless it sets one) and its command (the
    image's CMD unless it sets one, or sets an entrypoint, which drops the image's CMD)."""
    default = [] if "entrypoint" in service else instruction("CMD")
    return [*service.get("entrypoint", instruction("ENTRYPOINT")), *service.get("command", default)]


def aixin_script() -> str:
    return str(Path(sys.executable).parent / "aixin")


def test_the_compose_file_is_valid_by_the_compose_specification() -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(load())]
    assert errors == []
    broken = {"services": {"api": {"image": "aixin:local", "ports": {"8765": 8765}, "restart": 5}}}
    assert len(list(validator.iter_errors(broken))) >= 2  # the schema does refuse what is not Compose


def test_every_platform_service_has_a_replicable_container_of_the_image() -> None:
    services = load()["services"]
    assert set(SERVICES) <= set(services), "each aixin service runs in its own container"
    for name in SERVICES:
        service = services[name]
        assert container_command(service)[:3] == ["aixin", "serve", name]
        assert service["image"] == "aixin:local" and service["build"] == "."
        environment = service["environment"]
        assert environment["AIXIN_NATS_URL"] == ",".join(f"nats://{node}:4222" for node in NODES)
        assert {f"nats-{n}" for n in (1, 2, 3)} | {"postgres"} <= set(service["depends_on"])
    for name, service in services.items():  # `--scale` needs no fixed name and no fixed host port
        assert "container_name" not in service, name
        for port in service.get("ports", []):
            assert str(port).count(":") == 0 or "-" in str(port).split(":")[0], f"{name} fixes host port {port}"


def test_nothing_is_installed_at_container_start() -> None:
    for name, service in load()["services"].items():
        assert "pip" not in " ".join(map(str, service.get("command", []))), name
    assert "pip" not in " ".join(instruction("ENTRYPOINT") + instruction("CMD"))


def test_the_image_is_built_in_two_stages_and_runs_as_its_own_user() -> None:
    text = dockerfile()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?$", text, flags=re.MULTILINE)
    assert len(stages) == 2 and stages[0][1] == "build"
    assert "pip wheel" in text.split("FROM")[1] and "--no-index" in text.split("FROM")[2]
    users = re.findall(r"^USER (\S+)$", text, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_the_api_is_behind_its_own_health_check() -> None:
    check = " ".join(load()["services"]["api"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8765/health" in check


def test_references_resolve() -> None:
    compose = load()
    services, volumes = compose["services"], set(compose.get("volumes") or {})
    for name, service in services.items():
        assert "image" in service or "build" in service, f"{name} has neither image nor build"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in volumes, f"{name} mounts undeclared volume {source}"


def test_the_credentials_job_writes_configurations_each_node_starts_with(tmp_path: Path) -> None:
    """The job's command as a process, /secrets mapped to a directory here; then each node's own
    command checks the configuration it is given (`nats-server -t`)."""
    services = load()["services"]
    secrets = tmp_path / "secrets"
    job = services["nats-credentials"]
    mapped = [part.replace("/secrets", str(secrets)) for part in container_command(job)]
    environment = {**os.environ, **{k: v.replace("/secrets", str(secrets)) for k, v in job["environment"].items()}}
    done = subprocess.run([aixin_script(), *mapped[1:]], env=environment, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    for node in NODES:
        command = container_command(services[node])
        assert command[0] == "nats-server" and f"{node}:4222" in services["api"]["environment"]["AIXIN_NATS_URL"]
        config = Path(command[-1].replace("/secrets", str(secrets)))
        text = config.read_text()
        assert "sync_interval: always" in text and 'store_dir: "/data/jetstream"' in text
        assert all(f"@{other}:6222" in text for other in NODES if other != node)
        checked = subprocess.run([str(server_binary()), *command[1:-1], str(config), "-t"], capture_output=True,
                                 text=True)
        assert checked.returncode == 0, checked.stderr


@pytest.mark.e2e
def test_the_images_entry_point_starts_the_platform(tmp_path: Path) -> None:
    """ENTRYPOINT and CMD as the container runs them (`aixin up`), on a free port of loopback
    rather than 0.0.0.0:8765, with the image's environment; /health answers 200."""
    port = free_port()
    command = [aixin_script(), *instruction("ENTRYPOINT")[1:], *instruction("CMD"), "--http", f"127.0.0.1:{port}"]
    environment = {**os.environ, "AIXIN_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    log = open(tmp_path / "entry-point.log", "w")
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp_path / "entry-point.log").read_text()
            assert time.monotonic() < deadline, "the entry point did not answer /health within 90 s"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(30)
    assert process.returncode == 0, (tmp_path / "entry-point.log").read_text()
