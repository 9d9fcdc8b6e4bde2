// The NATS rows of `npm run bench`: faults per wall second of a distributed
// run across processes (`ioasim run --transport nats --spawn --time skip`),
// batching on and off, against the raw publish rate of plain NATS messages of
// the same byte size as the run's average frame, all on one nats-server
// started here. The average frame size is the server's own count
// (in_bytes / in_msgs of its /varz monitor) over the batched run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { NODE_FLAGS } from '@ioasim/cli';
import { natsServerFind, natsServersStart } from '@ioasim/sim/distributed';

/** Messages the raw publisher sends; flushed every RAW_FLUSH_EVERY so the subscriber is never cut off as a slow consumer. */
const RAW_MESSAGES = 400_000;
const RAW_FLUSH_EVERY = 20_000;

async function varz(node) {
  const response = await fetch(`http://127.0.0.1:${node.monitorPort}/varz`);
  const body = await response.json();
  return { messages: body.in_msgs, bytes: body.in_bytes };
}

function distributedRun(cli, topologyPath, url) {
  const result = spawnSync(process.execPath, [...NODE_FLAGS, cli, 'run', topologyPath, '--transport', 'nats', '--nats', url, '--spawn', '--time', 'skip', '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`ioasim run ${topologyPath} over NATS exited ${result.status}: ${result.stderr.slice(-2000)}`);
  const report = JSON.parse(result.stdout);
  if (report.faults.raised !== report.faults.responded) {
    throw new Error(`NATS run of ${topologyPath}: raised ${report.faults.raised} but responded ${report.faults.responded}`);
  }
  return report;
}

async function rawPublishRate(url, size) {
  const publisher = await connect({ servers: url });
  const subscriber = await connect({ servers: url });
  let received = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  subscriber.subscribe('bench.raw', {
    callback: (error) => {
      if (error) throw error;
      if (++received === RAW_MESSAGES) done();
    },
  });
  await subscriber.flush();
  const payload = new Uint8Array(size).fill(7);
  const started = process.hrtime.bigint();
  for (let index = 1; index <= RAW_MESSAGES; index++) {
    publisher.publish('bench.raw', payload);
    if (index % RAW_FLUSH_EVERY === 0) await publisher.flush();
  }
  await publisher.flush();
  await finished;
  const rate = RAW_MESSAGES / (Number(process.hrtime.bigint() - started) / 1e9);
  await publisher.close();
  await subscriber.close();
  return rate;
}

/** Calls row(...) for each NATS figure; prints why and returns when nats-server is missing. */
export async function natsBench({ row, here }) {
  if (natsServerFind() === null) {
    console.log('nats       skipped: nats-server not found (install it, e.g. apt-get install nats-server, or set IOASIM_NATS_SERVER)');
    return;
  }
  const cli = here('../packages/cli/bin/ioasim.js');
  const text = readFileSync(here('nats-load.yaml'), 'utf8');
  const folder = mkdtempSync(join(tmpdir(), 'ioasim-bench-nats-'));
  const batchedPath = join(folder, 'batched.yaml');
  const unbatchedPath = join(folder, 'unbatched.yaml');
  writeFileSync(batchedPath, text);
  writeFileSync(unbatchedPath, text.replace(/count: 40000/g, 'count: 4000').replace(/batch: \{[^}]*\}/, 'batch: { records: 1, window: "0" }'));
  const servers = await natsServersStart({ count: 1 });
  try {
    const node = servers.nodes[0];
    const before = await varz(node);
    const batched = distributedRun(cli, batchedPath, node.url);
    const after = await varz(node);
    const frameBytes = Math.max(1, Math.round((after.bytes - before.bytes) / Math.max(1, after.messages - before.messages)));
    const unbatched = distributedRun(cli, unbatchedPath, node.url);
    const raw = await rawPublishRate(node.url, frameBytes);
    const batchedRate = batched.distributed.faultsPerSecond;
    const unbatchedRate = unbatched.distributed.faultsPerSecond;
    row('nats', `faults/s across processes, batch 64 / 50us (${batched.faults.raised} faults)`, batchedRate, 'faults/s', raw, `raw ${frameBytes}B msg/s`);
    row('nats', `faults/s across processes, unbatched (${unbatched.faults.raised} faults)`, unbatchedRate, 'faults/s', raw, `raw ${frameBytes}B msg/s`);
    row('nats', 'batched over unbatched faults/s', batchedRate, 'faults/s', unbatchedRate, 'unbatched/s');
  } finally {
    await servers.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}
