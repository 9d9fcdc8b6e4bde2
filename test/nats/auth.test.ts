/**
 * Credentials and TLS against real nats-server processes: a user and
 * password, a token, nkeys, decentralized auth (a creds file) and mutual
 * TLS. Each admits a whole run (the coordinator and the service processes,
 * spawned or started by hand) and refuses wrong credentials in one line with
 * exit 2; no password or token is ever printed, put on a child's command
 * line, or written to a report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyLoad, type Topology } from '@ioasim/sim';
import { coordinate, distributedSpawn, type NatsServers } from '@ioasim/sim/distributed';
import { credsMaterial, nkeyMaterial, opensslFound, tlsMaterial, type TlsMaterial } from './auth-material.js';
import { ProcessGroup, ioasimRun, natsRequired, natsSkipped, natsStart, stopAll, type CommandOutcome } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;
const SMALL = `${ROOT}test/nats/fixtures/small.yaml`;
const PASSWORD = 's3cret-Pw9';
const TOKEN = 'tok-8f2b6c1d';

function small(): Topology {
  const result = topologyLoad(SMALL);
  if (!result.ok) throw new Error(`${SMALL} does not load`);
  return result.topology;
}

/** A URL of `servers` with `credentials` put in: nats://credentials@127.0.0.1:port. */
function urlWith(servers: NatsServers | null, credentials: string): string {
  return (servers?.urls[0] ?? '').replace('nats://', `nats://${credentials}@`);
}

/** `ioasim serve all` for the small topology, in the background. */
function serveAll(group: ProcessGroup, server: string, run: string, extra: readonly string[] = [], environment?: Record<string, string>): void {
  group.start('serve all', process.execPath, [BIN, 'serve', 'all', '--nats', server, '--topology', SMALL, '--run', run, ...extra], undefined, environment);
}

function runArguments(server: string, run: string, extra: readonly string[] = []): string[] {
  return ['run', SMALL, '--transport', 'nats', '--nats', server, '--run', run, '--json', '--ready-timeout', '20s', ...extra];
}

function expectRan(outcome: CommandOutcome): void {
  expect(outcome.report, `${outcome.stderr}\n${outcome.stdout.slice(0, 2000)}`).not.toBeNull();
  expect(outcome.report?.transport).toBe('nats');
  expect(outcome.report?.faults.raised).toBeGreaterThan(0);
  expect(outcome.report?.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
  expect(outcome.code).toBe(0);
}

/** One line on standard error, saying what was refused; exit 2; the secret nowhere. */
function expectRefused(outcome: CommandOutcome, line: RegExp, secret: string): void {
  const lines = outcome.stderr.split('\n').filter((text) => text.startsWith('ioasim:'));
  expect(lines, outcome.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).not.toContain(secret);
  expect(outcome.stderr).not.toContain(secret);
}

describe.skipIf(natsSkipped('NATS credentials and TLS'))('NATS credentials and TLS', () => {
  const started: NatsServers[] = [];
  const groups: ProcessGroup[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'ioasim-auth-'));
  const group = (): ProcessGroup => {
    const created = new ProcessGroup();
    groups.push(created);
    return created;
  };
  const server = async (extra: readonly string[]): Promise<NatsServers> => {
    const servers = await natsStart(1, extra);
    started.push(servers);
    return servers;
  };

  afterAll(async () => {
    await stopAll(null, groups);
    await Promise.allSettled(started.map((servers) => servers.stop()));
    rmSync(folder, { recursive: true, force: true });
  });

  describe('a server with a user and password', () => {
    let nats: NatsServers | null = null;
    beforeAll(async () => {
      nats = await server(['--user', 'alice', '--pass', PASSWORD]);
    });

    it('runs with --spawn and nats://alice:<password>@host; the password is in no output and no report', async () => {
      const outcome = await ioasimRun(group(), ['run', SMALL, '--transport', 'nats', '--spawn', '--nats', urlWith(nats, `alice:${PASSWORD}`), '--json', '--verbose']);
      expectRan(outcome);
      expect(outcome.stdout).not.toContain(PASSWORD);
      expect(outcome.stderr).not.toContain(PASSWORD);
    });

    it('refuses a wrong password in one line with exit 2, printing neither password (run and serve)', async () => {
      const wrong = 'wr0ng-Pw-77';
      const processes = group();
      const refused = /^ioasim: (serve all 0\/1: )?NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials \(user "alice"\): Authorization Violation$/;
      const ran = await ioasimRun(processes, runArguments(urlWith(nats, `alice:${wrong}`), 'wrong'));
      expectRefused(ran, refused, wrong);
      const spawned = await ioasimRun(processes, ['run', SMALL, '--transport', 'nats', '--spawn', '--nats', urlWith(nats, `alice:${wrong}`)]);
      expectRefused(spawned, refused, wrong);
      expect(spawned.stderr).not.toContain('spawned');
      const served = await ioasimRun(processes, ['serve', 'all', '--nats', urlWith(nats, `alice:${wrong}`), '--topology', SMALL, '--run', 'wrong']);
      expectRefused(served, refused, wrong);
      const anonymous = await ioasimRun(processes, runArguments(nats?.urls[0] ?? '', 'anonymous'));
      expectRefused(anonymous, /refused the credentials \(no credentials\)/, PASSWORD);
    });

    it('takes the user and password from IOASIM_NATS_USER and IOASIM_NATS_PASSWORD when the URL has none', async () => {
      const processes = group();
      const environment = { ...process.env, IOASIM_NATS_USER: 'alice', IOASIM_NATS_PASSWORD: PASSWORD } as Record<string, string>;
      serveAll(processes, nats?.urls[0] ?? '', 'environment', [], environment);
      const outcome = await ioasimRun(processes, runArguments(nats?.urls[0] ?? '', 'environment'), environment);
      expectRan(outcome);
    });
  });

  describe('a server with a token', () => {
    let nats: NatsServers | null = null;
    beforeAll(async () => {
      nats = await server(['--auth', TOKEN]);
    });

    it('gives the token to the processes it spawns through their environment, never on their command lines', async () => {
      const spawned = await distributedSpawn({
        command: [process.execPath, BIN],
        topologyPath: SMALL,
        run: 'token',
        servers: nats?.urls ?? [],
        security: { token: TOKEN },
        log: () => {},
      });
      try {
        expect(spawned.children).toHaveLength(5);
        for (const child of spawned.children) expect(child.process.spawnargs.join(' ')).not.toContain(TOKEN);
        const report = await coordinate({ topology: small(), servers: nats?.urls ?? [], security: { token: TOKEN }, run: 'token', seed: 1, time: 'skip', readyTimeoutMs: 20_000 });
        expect(report.faults.raised).toBeGreaterThan(0);
        expect(JSON.stringify(report)).not.toContain(TOKEN);
      } finally {
        await spawned.stop();
      }
    });

    it('refuses a wrong token in the URL in one line with exit 2, never printing it', async () => {
      const wrong = 'tok-wrong-31';
      const outcome = await ioasimRun(group(), runArguments(urlWith(nats, wrong), 'token-wrong'));
      expectRefused(outcome, /^ioasim: NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials \(a token\): Authorization Violation$/, wrong);
    });
  });

  describe('a server that lists a user nkey', () => {
    const material = nkeyMaterial(folder);
    let nats: NatsServers | null = null;
    beforeAll(async () => {
      nats = await server(['-c', material.config]);
    });

    it('admits a serve process and the coordinator that sign with the seed of --nkey-seed', async () => {
      const processes = group();
      const url = nats?.urls[0] ?? '';
      serveAll(processes, url, 'nkey', ['--nkey-seed', material.seedFile]);
      expectRan(await ioasimRun(processes, runArguments(url, 'nkey', ['--nkey-seed', material.seedFile])));
    });

    it('refuses the seed of a user the server does not list', async () => {
      const outcome = await ioasimRun(group(), runArguments(nats?.urls[0] ?? '', 'stranger', ['--nkey-seed', material.strangerSeedFile]));
      expectRefused(outcome, /refused the credentials \(nkey seed file .*stranger\.nk\): Authorization Violation$/, material.strangerSeed);
    });
  });

  describe('a server in operator mode (decentralized auth)', () => {
    const material = credsMaterial(folder);
    let nats: NatsServers | null = null;
    beforeAll(async () => {
      nats = await server(['-c', material.config]);
    });

    it('admits a serve process and the coordinator with the creds file of a user of its account', async () => {
      const processes = group();
      const url = nats?.urls[0] ?? '';
      serveAll(processes, url, 'creds', ['--creds', material.credsFile]);
      const report = await coordinate({ topology: small(), servers: [url], security: { credsFile: material.credsFile }, run: 'creds', seed: 1, time: 'skip', readyTimeoutMs: 20_000 });
      expect(report.faults.raised).toBeGreaterThan(0);
    });

    it('refuses a creds file of an account the operator does not know', async () => {
      const outcome = await ioasimRun(group(), runArguments(nats?.urls[0] ?? '', 'stranger', ['--creds', material.strangerCredsFile]));
      expectRefused(outcome, /refused the credentials \(creds file .*stranger\.creds\)/, material.strangerSeed);
    });
  });

  const openssl = opensslFound();
  if (!openssl) {
    console.warn(`\n*** ${natsRequired() ? 'FAILING' : 'SKIPPED'} "a server with TLS": openssl not found (apt-get install openssl); under CI=true this is a failure. ***\n`);
  }

  describe.skipIf(!openssl && !natsRequired())('a server with TLS that verifies its clients', () => {
    let tls: TlsMaterial | null = null;
    let nats: NatsServers | null = null;
    beforeAll(async () => {
      if (!openssl) throw new Error('openssl is required (CI=true) but was not found');
      tls = tlsMaterial(folder);
      nats = await server(['--tlsverify', '--tlscert', tls.serverCert, '--tlskey', tls.serverKey, '--tlscacert', tls.ca]);
    });

    it('runs with --spawn, the CA and a client certificate, which reach the service processes', async () => {
      const files = ['--tls-ca', tls?.ca ?? '', '--tls-cert', tls?.clientCert ?? '', '--tls-key', tls?.clientKey ?? ''];
      const outcome = await ioasimRun(group(), ['run', SMALL, '--transport', 'nats', '--spawn', '--nats', nats?.urls[0] ?? '', '--json', ...files]);
      expectRan(outcome);
    });

    it('refuses a server certificate no CA it was given signed, in one line with exit 2', async () => {
      const outcome = await ioasimRun(group(), runArguments(nats?.urls[0] ?? '', 'untrusted'));
      expectRefused(outcome, /^ioasim: TLS with NATS at nats:\/\/127\.0\.0\.1:\d+ failed: unable to verify the first certificate \(no CA file was given for the server's certificate\)$/, 'BEGIN');
    });
  });
});
