/**
 * The distributed commands refuse bad input with exit 2 and a message that
 * says what is wrong, before connecting to anything.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { describe, expect, it } from 'vitest';
import { topologyLoad, type Topology } from '@ioasim/sim';
import { coverageCheck, shardHosts } from '@ioasim/sim/distributed';

async function ioasim(...argv: string[]): Promise<{ code: number; error: string }> {
  const error: string[] = [];
  const io: Io = { out: () => {}, error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, error: error.join('\n') };
}

const example = new URL('../../examples/single-host.yaml', import.meta.url).pathname;
const twoHosts = new URL('./fixtures/two-hosts.yaml', import.meta.url).pathname;

function loaded(path: string): Topology {
  const result = topologyLoad(path);
  if (!result.ok) throw new Error(`${path} does not load`);
  return result.topology;
}

describe('ioasim serve, bad input', () => {
  it('answers 2 for an unknown service kind, naming the kinds', async () => {
    const result = await ioasim('serve', 'gpu', '--nats', 'nats://127.0.0.1:1', '--topology', example, '--run', 'r');
    expect(result.code).toBe(2);
    expect(result.error).toContain('unknown service "gpu"; expected one of: device, iommu, ioasid-manager, vfio, vdpa, all');
  });

  it('answers 2 for a shard that is not i/n with i < n', async () => {
    const result = await ioasim('serve', 'device', '--nats', 'nats://127.0.0.1:1', '--topology', example, '--run', 'r', '--shard', '2/2');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--shard expects i/n with 0 <= i < n');
  });

  it('answers 2 for a run id that is not one subject token', async () => {
    const result = await ioasim('serve', 'device', '--nats', 'nats://127.0.0.1:1', '--topology', example, '--run', 'a.b');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--run "a.b" must be letters, digits, _ or - only');
  });

  it('answers 2 without --nats', async () => {
    const result = await ioasim('serve', 'device', '--topology', example, '--run', 'r');
    expect(result.code).toBe(2);
    expect(result.error).toContain('serve needs --nats');
  });
});

describe('ioasim run --transport nats, bad input', () => {
  it('answers 2 for a transport that does not exist', async () => {
    const result = await ioasim('run', example, '--transport', 'carrier-pigeon');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--transport expects embedded or nats');
  });

  it('answers 2 for an unknown time mode', async () => {
    const result = await ioasim('run', example, '--transport', 'nats', '--nats', 'nats://127.0.0.1:1', '--time', 'warp');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--time expects skip or real, found "warp"');
  });

  it('answers 2 for nats options on an embedded run', async () => {
    const result = await ioasim('run', example, '--spawn');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--spawn goes with --transport nats');
  });

  it('says that a topology\'s chaos rules are not applied to a distributed run', async () => {
    const chaos = new URL('../../examples/chaos.yaml', import.meta.url).pathname;
    const result = await ioasim('run', chaos, '--transport', 'nats', '--nats', 'nats://127.0.0.1:1', '--ready-timeout', 'soon');
    expect(result.error).toContain("the topology's 6 chaos rule(s) are not applied to a distributed run");
    expect(result.code).toBe(2);
    const plain = await ioasim('run', example, '--transport', 'nats', '--nats', 'nats://127.0.0.1:1', '--ready-timeout', 'soon');
    expect(plain.error).not.toContain('chaos rule');
  });

  it('answers 2 at once, naming the address, when no NATS server listens at --nats', async () => {
    const result = await ioasim('run', example, '--transport', 'nats', '--nats', 'nats://127.0.0.1:1');
    expect(result.code).toBe(2);
    expect(result.error).toContain('cannot reach NATS at nats://127.0.0.1:1');
    expect(result.error).toContain('--spawn');
  });

  it('answers 2 when neither --nats nor --spawn says where the services are', async () => {
    const result = await ioasim('run', example, '--transport', 'nats');
    expect(result.code).toBe(2);
    expect(result.error).toContain('needs --nats <url,...> (or --spawn');
  });
});

describe('shards and coverage', () => {
  it('gives host h to shard h % n', () => {
    const topology = loaded(twoHosts);
    expect(shardHosts(topology, 0, 2).map((host) => host.name)).toEqual(['h0']);
    expect(shardHosts(topology, 1, 2).map((host) => host.name)).toEqual(['h1']);
    expect(shardHosts(topology, 0, 1).map((host) => host.name)).toEqual(['h0', 'h1']);
  });

  it('names every (service, host) no process serves, and every one two processes serve', () => {
    const topology = loaded(twoHosts);
    const processes = [
      { id: { service: 'all' as const, shard: 0, shards: 2 }, hosts: ['h0'] },
      { id: { service: 'device' as const, shard: 0, shards: 1 }, hosts: ['h0', 'h1'] },
    ];
    const coverage = coverageCheck(topology, processes);
    expect(coverage.missing).toEqual([
      'iommu for host(s) h1',
      'ioasid-manager for host(s) h1',
      'vfio for host(s) h1',
      'vdpa for host(s) h1',
    ]);
    expect(coverage.duplicates).toEqual(['device for host h0 (all 0/2, device 0/1)']);
  });
});
