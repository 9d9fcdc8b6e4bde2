/**
 * Serve processes on the NATS services protocol, against a real
 * nats-server and a real `ioasim serve` process: `$SRV.PING`, `$SRV.INFO`
 * and `$SRV.STATS` (what `nats micro ls` and `nats micro info ioasim` send)
 * answer with the service name, ioasim's version and metadata naming the
 * run, kind, shard, hosts, machine, pid, topology hash and claim; the
 * coordinator's finder (servesFind) makes the same answer a `ready` record
 * of the run, and finds nothing for another run. Once its run is over and
 * it is re-armed (--runs 2), the process answers again as free.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '@ioasim/bus/nats';
import { topologyLoad } from '@ioasim/sim';
import { IOASIM_VERSION } from '@ioasim/sim/version';
import { SERVICE_NAME, servesFind, topologyHash, type NatsServers } from '@ioasim/sim/distributed';
import { IOASIM_BIN, ProcessGroup, ioasimRun, natsSkipped, natsStart, stopAll } from './harness.js';

const SMALL = fileURLToPath(new URL('fixtures/small.yaml', import.meta.url));
const RUN = 'discovery';

type Answer = { type: string; name: string; id: string; version: string; metadata: Record<string, string>; endpoints?: unknown[] };

describe.skipIf(natsSkipped('serve processes on the NATS services protocol'))('serve processes answer $SRV.PING, $SRV.INFO and $SRV.STATS', () => {
  let nats: NatsServers | null = null;
  let bus: NatsBus | null = null;
  const processes = new ProcessGroup();

  /** Every answer to `subject` within half a second (none while no service is up: no responders). */
  const ask = async (subject: string): Promise<Answer[]> => {
    const connection = (bus as NatsBus).connection;
    const answers: Answer[] = [];
    try {
      const replies = await connection.requestMany(subject, '', { strategy: 'timer', maxWait: 500 });
      for await (const reply of replies) answers.push(reply.json<Answer>());
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return answers;
  };

  /** Waits until the serve process answers a ping with `claim` in its metadata. */
  const answered = async (claim: string): Promise<Answer> => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const answer = (await ask(`$SRV.PING.${SERVICE_NAME}`)).find((candidate) => candidate.metadata['claim'] === claim);
      if (answer !== undefined) return answer;
    }
    throw new Error(`no serve process answered with claim "${claim}"`);
  };

  beforeAll(async () => {
    nats = await natsStart(1);
    processes.start('serve all', process.execPath, [IOASIM_BIN, 'serve', 'all', '--nats', nats.urls[0] as string, '--topology', SMALL, '--run', RUN, '--runs', '2']);
    bus = await NatsBus.connect({ servers: nats.urls, name: 'discovery-test' });
  });

  afterAll(async () => {
    await bus?.close();
    await stopAll(nats, [processes]);
  });

  it('answers PING, INFO and STATS with its name, version and metadata', { timeout: 30_000 }, async () => {
    const loaded = topologyLoad(SMALL);
    if (!loaded.ok) throw new Error('small.yaml does not load');
    const ping = await answered('');
    const pid = String(processes.children[0]?.process.pid);
    expect(ping).toMatchObject({ type: 'io.nats.micro.v1.ping_response', name: SERVICE_NAME, version: IOASIM_VERSION });
    expect(ping.metadata).toEqual({
      run: RUN,
      kind: 'all',
      shard: '0/1',
      instance: expect.stringMatching(/^[0-9a-f]{12}$/),
      hosts: 'h0',
      machine: hostname(),
      pid,
      topology: 'small',
      topology_hash: topologyHash(loaded.topology),
      claim: '',
    });
    const [info] = await ask(`$SRV.INFO.${SERVICE_NAME}`);
    expect(info).toMatchObject({ type: 'io.nats.micro.v1.info_response', name: SERVICE_NAME, id: ping.id, version: IOASIM_VERSION, metadata: ping.metadata });
    expect(info?.endpoints).toEqual([]);
    const [stats] = await ask(`$SRV.STATS.${SERVICE_NAME}.${ping.id}`);
    expect(stats).toMatchObject({ type: 'io.nats.micro.v1.stats_response', name: SERVICE_NAME, id: ping.id, version: IOASIM_VERSION });
  });

  it('is found by the coordinator for its run only, and found free again once re-armed after a run', { timeout: 60_000 }, async () => {
    const found = await servesFind(bus as NatsBus, RUN);
    expect(found).toEqual([expect.objectContaining({ kind: 'ready', service: 'all', shard: 0, shards: 1, hosts: ['h0'], topology: 'small', claim: null })]);
    expect(await servesFind(bus as NatsBus, 'another-run')).toEqual([]);
    const outcome = await ioasimRun(processes, ['run', SMALL, '--transport', 'nats', '--nats', nats?.urls[0] ?? '', '--run', RUN, '--json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const again = await answered('');
    expect(again.id).not.toBe(found[0]?.instance);
    expect(again.metadata['instance']).toBe(found[0]?.instance);
  });
});
