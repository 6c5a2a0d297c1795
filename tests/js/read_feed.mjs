// A system's feed reader on the official NATS JavaScript client, using nothing but its connection
// bundle (what `aixin systems add` writes): TLS verified by the bundle's CA, NKey sign-in, the
// durable pull consumer named in the bundle, bound on the bundle's stream.
//
//   node read_feed.mjs BUNDLE [--count N] [--idle-ms MS]   print up to N messages as JSON lines, acking
//                                                          each; stop when none came for MS (>= 1000)
//   node read_feed.mjs BUNDLE --refused publish|delete     try what the account may not do (publish
//                                                          into the feed, delete the stream) and print
//                                                          how the refusal surfaced
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { connect, nkeyAuthenticator } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: "string", default: "10" }, "idle-ms": { type: "string", default: "2000" },
    refused: { type: "string" } },
});
const bundle = JSON.parse(await readFile(positionals[0], "utf-8"));

const nc = await connect({
  servers: bundle.url,
  tls: bundle.ca_pem ? { ca: bundle.ca_pem } : undefined,
  authenticator: nkeyAuthenticator(new TextEncoder().encode(bundle.nkey_seed)),
  reconnect: false,
});

async function durableConsumer() {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.consumers.info(bundle.stream, bundle.consumer);
  } catch {
    await jsm.consumers.add(bundle.stream, { durable_name: bundle.consumer, filter_subject: bundle.subjects,
      ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  }
  return jetstream(nc).consumers.get(bundle.stream, bundle.consumer);
}

async function read(count, idleMs) {
  const consumer = await durableConsumer();
  let read = 0;
  while (read < count) {
    const batch = await consumer.fetch({ max_messages: count - read, expires: idleMs });
    let got = 0;
    for await (const m of batch) {
      const headers = Object.fromEntries([...(m.headers?.keys() ?? [])].map((k) => [k, m.headers.get(k)]));
      console.log(JSON.stringify({ subject: m.subject, stream_seq: m.seq, headers, message: m.json() }));
      m.ack();
      got += 1;
    }
    read += got;
    if (got === 0) break;
  }
}

const attempts = {
  publish: () => jetstream(nc).publish(`aixin.feed.${bundle.office}.forged.child_on_file`, "{}", { timeout: 5000 }),
  delete: async () => (await jetstreamManager(nc)).streams.delete(bundle.stream),
};

async function refused(action) {
  try {
    const answer = await attempts[action]();
    console.log(JSON.stringify({ action, refused: false, answer }));
    process.exitCode = 3;
  } catch (error) {
    const cause = error.cause ?? null;
    console.log(JSON.stringify({ action, refused: true, error: error.constructor.name, message: error.message,
      cause: cause && { error: cause.constructor.name, message: cause.message } }));
  }
}

try {
  if (values.refused) await refused(values.refused);
  else await read(Number(values.count), Number(values["idle-ms"]));
} finally {
  await nc.drain().catch(() => nc.close());
}
