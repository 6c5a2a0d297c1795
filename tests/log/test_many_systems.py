"""Every province and many cities may subscribe: each outside system's account gets JetStream for
its feed however many there are, added one by one to the running server as `aixin systems add`
does (a reload), on a server whose store is no bigger than the disk it runs on."""

from __future__ import annotations

from pathlib import Path

import asyncio

import nats

from services.platform.embedded_nats import EmbeddedNats
from services.platform.nats_credentials import NatsCredentials

# 31 provinces and as many cities as bring the count to 64: an account that reserved even a few GiB
# of the server's store each would run out of a laptop's disk long before.
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
             "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
CITIES = ["4401", "4403", "4404", "4405", "4406", "4407", "4408", "4409", "4412", "4413", "4414", "4415",
          "4416", "4417", "4418", "4419", "4420", "4451", "4452", "4453", "3201", "3202", "3203", "3204",
          "3205", "3206", "3207", "3208", "3209", "3210", "3211", "3212", "3213"]


async def test_every_system_of_64_has_jetstream_for_its_feed(tmp_path: Path) -> None:
    credentials = NatsCredentials.load_or_create(tmp_path)
    server = EmbeddedNats(tmp_path / "nats", authorization=credentials.server_config()).start()
    offices = PROVINCES + CITIES
    try:
        for n, office in enumerate(offices):
            credentials.add_system(f"system-{n}", office)
            assert server.reload_running(credentials.server_config())
        await _taken(server, credentials, len(offices) - 1)
        refused = [(f"system-{n}", error) for n in range(len(offices))
                   if (error := await _no_jetstream(server, credentials, n))]
        assert refused == [], f"{len(refused)} of {len(offices)} systems have no JetStream: {refused[:3]}"
        log = (tmp_path / "nats" / "nats-server.log").read_text()
        assert "insufficient storage" not in log, log[-2000:]
    finally:
        server.stop()


async def _taken(server: EmbeddedNats, credentials: NatsCredentials, n: int) -> None:
    """Until the server runs the last configuration: system n's feeder, added last, may connect
    (reloads are signalled, done in the server's time, and signals that come close are taken as one)."""
    for _ in range(300):
        try:
            await (await nats.connect(server.url, allow_reconnect=False, max_reconnect_attempts=0,
                                      **credentials.feeder_options(f"system-{n}"))).close()
            return
        except Exception:
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not take the last system's users within 30 s")


async def _no_jetstream(server: EmbeddedNats, credentials: NatsCredentials, n: int) -> str | None:
    """Why system n's feeder has no JetStream (None: it has). Asked for a second, as a feed asks
    again: what these accounts lacked was lacking for good."""
    error = "never connected"
    for _ in range(10):
        try:
            feeder = await nats.connect(server.url, allow_reconnect=False, max_reconnect_attempts=0,
                                        **credentials.feeder_options(f"system-{n}"))
        except Exception as refused:
            error = repr(refused)
            await asyncio.sleep(0.1)
            continue
        try:
            await feeder.jetstream(timeout=2).account_info()
            return None
        except Exception as missing:
            error = repr(missing)
        finally:
            await feeder.close()
        await asyncio.sleep(0.1)
    return error
