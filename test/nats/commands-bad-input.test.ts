/**
 * The distributed commands refuse bad input with exit 2 and a message that
 * says what is wrong, before connecting to anything.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { describe, expect, it } from 'vitest';
import { topologyLoad, type Topology } from '@ioasim/sim';
import { coverageCheck, natsUrlCredentials, natsUrlRedact, shardHosts } from '@ioasim/sim/distributed';

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

  it('applies a topology\'s chaos rules to a distributed run, warning of none', async () => {
    const chaos = new URL('../../examples/chaos.yaml', import.meta.url).pathname;
    const result = await ioasim('run', chaos, '--transport', 'nats', '--nats', 'nats://127.0.0.1:1', '--ready-timeout', 'soon');
    expect(result.code).toBe(2);
    expect(result.error).not.toContain('chaos');
  });

  it('answers 2 for --nats-nodes where the run starts no NATS server', async () => {
    const result = await ioasim('run', example, '--transport', 'nats', '--nats', 'nats://127.0.0.1:1', '--nats-nodes', '3');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--nats-nodes goes with --spawn and no --nats');
  });

  it('answers 2 for a serve process given no run to serve', async () => {
    const result = await ioasim('serve', 'all', '--nats', 'nats://127.0.0.1:1', '--topology', example, '--run', 'r', '--runs', '0');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--runs expects a count from 1, or forever; found 0');
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

describe('NATS credentials and TLS options, before connecting', () => {
  const nats = ['run', example, '--transport', 'nats'];

  it('masks the password or token of every URL it quotes, and keeps the user name', () => {
    expect(natsUrlRedact('at nats://alice:s3cret@127.0.0.1:4222,tls://TOKEN@h:1 and nats://h:2')).toBe('at nats://alice:***@127.0.0.1:4222,tls://***@h:1 and nats://h:2');
  });

  it('takes a user and password, or a token, out of a URL, percent-decoded', () => {
    expect(natsUrlCredentials('nats://alice:s%3Acret@127.0.0.1:4222')).toEqual({ url: 'nats://127.0.0.1:4222', security: { user: 'alice', password: 's:cret' } });
    expect(natsUrlCredentials('nats://TOKEN@127.0.0.1:4222')).toEqual({ url: 'nats://127.0.0.1:4222', security: { token: 'TOKEN' } });
    expect(natsUrlCredentials('nats://127.0.0.1:4222')).toEqual({ url: 'nats://127.0.0.1:4222', security: {} });
  });

  it('answers 2 for URLs that carry different credentials, quoting them masked', async () => {
    const result = await ioasim(...nats, '--nats', 'nats://alice:pw-one@127.0.0.1:1,nats://bob:pw-two@127.0.0.1:2');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--nats: the URLs carry different credentials (nats://alice:***@127.0.0.1:1,nats://bob:***@127.0.0.1:2)');
    expect(result.error).not.toMatch(/pw-one|pw-two/);
  });

  it('answers 2 for a URL that is not nats:// or tls://, with its password masked', async () => {
    const result = await ioasim('serve', 'all', '--nats', 'http://alice:pw-three@127.0.0.1:1', '--topology', example, '--run', 'r');
    expect(result.code).toBe(2);
    expect(result.error).toContain('"http://alice:***@127.0.0.1:1" must be a nats:// or tls:// URL');
    expect(result.error).not.toContain('pw-three');
  });

  it('answers 2 for a file it cannot read, naming the option and the file', async () => {
    const result = await ioasim(...nats, '--nats', 'nats://127.0.0.1:1', '--creds', '/nonexistent/user.creds');
    expect(result.code).toBe(2);
    expect(result.error).toContain('--creds: cannot read "/nonexistent/user.creds" (ENOENT)');
  });

  it('answers 2 for two identities at once, and for a client certificate without its key', async () => {
    const two = await ioasim(...nats, '--nats', 'nats://TOKEN@127.0.0.1:1', '--nkey-seed', example);
    expect(two.code).toBe(2);
    expect(two.error).toContain('NATS takes one identity, found a token and --nkey-seed');
    const half = await ioasim(...nats, '--nats', 'nats://127.0.0.1:1', '--tls-cert', example);
    expect(half.code).toBe(2);
    expect(half.error).toContain('--tls-cert and --tls-key go together');
  });

  it('answers 2 for a NATS option on an embedded run', async () => {
    const result = await ioasim('run', example, '--tls-ca', example);
    expect(result.code).toBe(2);
    expect(result.error).toContain('--tls-ca goes with --transport nats');
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
