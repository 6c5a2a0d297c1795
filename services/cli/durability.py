"""`aixin doctor`'s look at the log's durability: how many replicas its stream has on the NATS it
runs on, and whether each server fsyncs an append before it acknowledges it.

By default JetStream acknowledges before it fsyncs (every two minutes): Jepsen's analysis of NATS
2.12.1 lost 131,418 of 930,005 acknowledged messages to a coordinated power loss. A server's
setting is in its monitoring endpoint's `/varz` (`jetstream.config.sync_always`), which clients
cannot ask for over NATS; `--nats-monitor` (or AIXIN_NATS_MONITOR) names those endpoints. The
embedded server's is read from its configuration in the data dir.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contracts.subjects import STREAM
from services.cli.client import AdminClient
from services.platform.settings import CLUSTER_REPLICAS

EMBEDDED_CONFIG = Path("nats") / "nats-server.conf"


@dataclass
class Durability:
    replicas: int
    cluster: str | None  # the cluster's name, if the server is one of a cluster
    servers: int  # the servers clients may connect to (the cluster's, or this one)
    sync_always: dict[str, bool] = field(default_factory=dict)  # server -> fsyncs before acknowledging
    unknown: list[str] = field(default_factory=list)  # why a server's setting could not be read
    unread: str | None = None  # why the stream itself could not be looked at

    @classmethod
    def unreadable(cls, why: str) -> Durability:
        return cls(0, None, 0, unread=why)

    def warnings(self) -> list[str]:
        if self.unread:
            return [f"cannot look at the log's durability: {self.unread}"]
        found = []
        if self.cluster and self.replicas < CLUSTER_REPLICAS:
            found.append(f"the log's stream {STREAM} has {self.replicas} replica(s) on the {self.servers}-server "
                         f"cluster {self.cluster!r}: a node lost takes the log with it; set AIXIN_STREAM_REPLICAS=3 "
                         f"(or leave it unset) and start the platform again")
        for server, always in sorted(self.sync_always.items()):
            if not always:
                found.append(f"NATS server {server} acknowledges appends before it writes them to disk (its "
                             f"sync_interval is not 'always'): a power loss loses acknowledged events; set "
                             f"'sync_interval: always' in its jetstream block ('aixin nats-config --cluster' does)")
        if self.unknown:
            found.append("cannot tell whether every NATS server fsyncs before it acknowledges (" + "; ".join(
                self.unknown) + "): name each one's monitoring endpoint with --nats-monitor http://HOST:8222")
        return found

    def as_dict(self) -> dict:
        return {"replicas": self.replicas or None, "cluster": self.cluster, "servers": self.servers,
                "sync_always": self.sync_always, "warnings": self.warnings()}


async def durability(nats_url: str, data_dir: Path, monitors: list[str]) -> Durability:
    async with AdminClient(nats_url, data_dir) as admin:
        info = await admin.nc.jetstream().stream_info(STREAM)
        server = admin.nc._server_info  # what the server said of itself when the client connected
    cluster = server.get("cluster")
    found = Durability(info.config.num_replicas or 1, cluster, len(server.get("connect_urls") or ()) or 1)
    if monitors:
        for url in monitors:
            await _read_varz(url, found)
    elif not cluster and (config := data_dir / EMBEDDED_CONFIG).exists():
        found.sync_always[f"{server.get('server_name', 'embedded')} (embedded)"] = _syncs_always(config.read_text())
    else:
        found.unknown.append("an external NATS, and no monitoring endpoint named")
    return found


async def _read_varz(url: str, found: Durability) -> None:
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            varz = (await http.get(url.rstrip("/") + "/varz")).raise_for_status().json()
        found.sync_always[varz.get("server_name") or url] = bool(varz["jetstream"]["config"].get("sync_always"))
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        found.unknown.append(f"{url}: {type(error).__name__}: {error}")


def _syncs_always(config: str) -> bool:
    return any(line.split("#")[0].split() == ["sync_interval:", "always"] for line in config.splitlines())
