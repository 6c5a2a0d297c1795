"""compose.yaml cannot be started here (no Docker engine), so its structure is checked instead."""

from pathlib import Path

import yaml

from services.platform.runtime import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def load() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_every_platform_service_has_a_container() -> None:
    compose = load()
    assert set(SERVICES) <= set(compose["services"]), "each aixin service runs in its own container"
    for name in SERVICES:
        command = " ".join(compose["services"][name]["command"])
        assert f"aixin serve {name}" in command


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
