"""A provincial (or city) system reading its feed with nothing but its connection bundle.

    python examples/province_subscriber.py path/to/bundle.json [--from-origin-seq N] [--max N]

It needs only nats-py (`pip install "nats-py[nkeys]"`) and the standard library. It connects with the
bundle's URL, checking the server against the bundle's CA and signing in with its NKey seed; binds
the bundle's durable pull consumer on the bundle's stream (created at the first run); prints each
message's kind, place, date and pseudonym; and acknowledges it, so the consumer goes on from there
at the next run.

It also keeps a cursor of its own: the last message's origin_seq and part (the domain log's
sequence, which stays valid when the platform rebuilds the feed and renumbers the stream), in
`<bundle>.cursor`. After a rebuild the consumer hands everything again; what the cursor has seen is
acknowledged and passed by. `--from-origin-seq N` starts from the domain log's sequence N instead.

A refusal by the server (a permissions violation) is printed and ends the program with exit code 2
at once, instead of waiting for a request to time out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import ssl
import sys
from pathlib import Path

import nats
from nats.errors import TimeoutError as NatsTimeout

REFUSED = 2
PSEUDONYM_FIELDS = ("child_id", "pair_id", "volunteer_id", "organiser_id", "wish_id", "concern_id", "pseudonyms")


class Cursor:
    """The last (origin_seq, part) handled, kept in a file."""

    def __init__(self, path: Path, from_origin_seq: int | None) -> None:
        self.path = path
        if from_origin_seq is not None:
            self.position = (from_origin_seq - 1, sys.maxsize)
        elif path.exists():
            saved = json.loads(path.read_text())
            self.position = (saved["origin_seq"], saved["part"])
        else:
            self.position = (0, sys.maxsize)

    def seen(self, origin_seq: int, part: int) -> bool:
        return (origin_seq, part) <= self.position

    def advance(self, origin_seq: int, part: int) -> None:
        self.position = (origin_seq, part)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"origin_seq": origin_seq, "part": part}))
        temporary.replace(self.path)


def describe(message: dict) -> str:
    data = message["data"]
    pseudonym = next((data[field] for field in PSEUDONYM_FIELDS if field in data), "-")
    if isinstance(pseudonym, list):
        pseudonym = ",".join(pseudonym)
    return (f"{message['kind']:<22} {message['region']} {message['occurred_on']} {pseudonym} "
            f"(origin_seq {message['origin_seq']})")


async def read(nc, bundle: dict, cursor: Cursor, most: int | None) -> int:
    consumer = await nc.jetstream().pull_subscribe(bundle["subjects"], durable=bundle["consumer"],
                                                   stream=bundle["stream"])
    printed = 0
    while most is None or printed < most:
        try:
            batch = await consumer.fetch(min(100, most - printed) if most else 100, timeout=5)
        except NatsTimeout:
            continue  # nothing new yet
        for msg in batch:
            origin_seq, part = int(msg.headers["Aixin-Origin-Seq"]), int(msg.headers.get("Aixin-Part", 0))
            if not cursor.seen(origin_seq, part):
                print(describe(json.loads(msg.data)), flush=True)
                cursor.advance(origin_seq, part)
                printed += 1
            await msg.ack()
    return 0


async def run(bundle_path: Path, from_origin_seq: int | None, most: int | None) -> int:
    bundle = json.loads(bundle_path.read_text())
    refused: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def on_error(error: Exception) -> None:
        if "permissions violation" in str(error).lower() and not refused.done():
            refused.set_result(str(error))
        elif not refused.done():
            print(f"nats: {error!r}", file=sys.stderr)

    tls = ssl.create_default_context(cadata=bundle["ca_pem"]) if bundle.get("ca_pem") else None
    try:
        nc = await nats.connect(bundle["url"], nkeys_seed_str=bundle["nkey_seed"], tls=tls, error_cb=on_error,
                                max_reconnect_attempts=3)
    except Exception as error:
        print(f"cannot connect to {bundle['url']}: {error!r}", file=sys.stderr)
        return 1
    reading = asyncio.ensure_future(read(nc, bundle, Cursor(bundle_path.with_suffix(".cursor"), from_origin_seq), most))
    try:
        await asyncio.wait({reading, refused}, return_when=asyncio.FIRST_COMPLETED)
        if refused.done():
            reading.cancel()
            print(f"refused by the server: {refused.result()}", file=sys.stderr)
            return REFUSED
        return reading.result()
    finally:
        await nc.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", type=Path, help="the connection bundle (aixin systems add NAME --office CODE)")
    parser.add_argument("--from-origin-seq", type=int, help="start from this domain log sequence")
    parser.add_argument("--max", type=int, help="stop after printing this many messages")
    args = parser.parse_args()
    # asyncio warns of nothing wrong when a TLS connection closes ("eof_received() has no effect")
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    try:
        return asyncio.run(run(args.bundle, args.from_origin_seq, args.max))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
