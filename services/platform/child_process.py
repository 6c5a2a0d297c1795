"""What runs inside one child process of `aixin up` (see `services.platform.children`): the
services it is given, a "ready" line once they listen, and an exit that waits for nothing else."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from services.platform.children import READY
from services.platform.runtime import SERVICES, Platform
from services.platform.settings import Settings

log = logging.getLogger("aixin")


def main() -> None:
    parser = argparse.ArgumentParser(description="one child process of 'aixin up'")
    parser.add_argument("--nats-url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--keys-url", required=True)
    parser.add_argument("services", nargs="+", choices=SERVICES)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(data_dir=args.data_dir, nats_url=args.nats_url, db_url=args.db_url,
                        keys_url=args.keys_url)

    async def run() -> None:
        platform = Platform(settings, services=tuple(args.services), write_runtime=False)
        try:
            await platform.start()
            sys.stdout.buffer.write(READY + b"\n")
            sys.stdout.flush()
            await platform.run_until_signalled()
        finally:
            await platform.stop()

    # Not asyncio.run: once the platform has stopped, everything this process writes is committed,
    # and asyncio.run would then wait for every leftover task to finish cancelling (a NATS client
    # still trying to reach a server that is gone never does), leaving an orphan behind.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run())
        code = 0
    except BaseException:
        log.exception("the %s stopped with an error", ", ".join(args.services))
        code = 1
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    main()
