/**
 * docker-compose.yml and the Dockerfile, checked without Docker: compose
 * runs the very commands test/nats/distributed.test.ts runs against real
 * nats-server processes, and the files keep their hygiene: valid for
 * Compose v1 and v2 (no top-level `name:` or `version:`), every ioasim
 * container given every NATS node, healthchecks that gate the start order,
 * and an image of production dependencies only that runs as a non-root user.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NODE_FLAGS } from '@ioasim/cli';
import { LIVE_METRIC_NAMES } from '@ioasim/sim';
import { NATS_CLUSTER_NAME, SERVE_METRIC_NAMES, SERVICE_KINDS } from '@ioasim/sim/distributed';
import { BOUNDED_TOPOLOGY, NATS_NODES, RUNNER_NODE, nodesFrom, runnerArguments, serviceCommand, serviceNode } from './commands.js';

type Healthcheck = { readonly test?: readonly string[]; readonly interval?: string; readonly retries?: number };

type ComposeService = {
  readonly image?: string;
  readonly build?: string;
  readonly command?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition?: string }>>;
  readonly healthcheck?: Healthcheck;
  readonly user?: string;
  readonly profiles?: readonly string[];
  readonly volumes?: readonly string[];
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const composeText = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
const compose = parse(composeText, { merge: true }) as Record<string, unknown> & { services: Record<string, ComposeService> };
const services = compose.services;
const nodeNames = Array.from({ length: NATS_NODES }, (_, index) => `nats-${index + 1}`);
const nodeUrls = nodeNames.map((name) => `nats://${name}:4222`);
/** What a serve container adds to the distributed test's command: the endpoint its healthcheck asks. */
const SERVE_METRICS = ['--metrics-listen', '0.0.0.0:9464'];
/** What the runner adds: the endpoint Prometheus scrapes, kept up a few scrapes after the run. */
const RUNNER_METRICS = ['--metrics-listen', '0.0.0.0:9464', '--metrics-linger', '3s'];
/** The services of the `observe` profile. */
const OBSERVERS = ['prometheus', 'grafana'];
const healthyAfter = (names: readonly string[]): Record<string, { condition: string }> =>
  Object.fromEntries(names.map((name) => [name, { condition: 'service_healthy' }]));

describe('docker-compose.yml', () => {
  it('has exactly three NATS nodes, one runner and one container per service kind', () => {
    expect(Object.keys(services).sort()).toEqual([...nodeNames, ...SERVICE_KINDS, 'runner', ...OBSERVERS].sort());
    for (const name of OBSERVERS) expect(services[name]?.profiles).toEqual(['observe']);
  });

  it('routes every NATS node to the two others in one cluster', () => {
    nodeNames.forEach((name) => {
      const command = services[name]?.command ?? [];
      const option = (flag: string): string | undefined => command[command.indexOf(flag) + 1];
      expect(option('--cluster_name')).toBe(NATS_CLUSTER_NAME);
      expect(option('-p')).toBe('4222');
      expect(option('--cluster')).toBe('nats://0.0.0.0:6222');
      const routes = (option('--routes') ?? '').split(',').sort();
      expect(routes).toEqual(nodeNames.filter((other) => other !== name).map((other) => `nats://${other}:6222`));
    });
  });

  it('runs each service with the very serve command the distributed test runs, every node given, its own first', () => {
    for (const kind of SERVICE_KINDS) {
      const service = services[kind];
      expect(service?.command).toEqual([...serviceCommand(kind, nodeUrls, BOUNDED_TOPOLOGY, 'compose'), ...SERVE_METRICS]);
      const servers = (service?.command?.[(service.command.indexOf('--nats') ?? 0) + 1] ?? '').split(',');
      expect([...servers].sort()).toEqual(nodeUrls);
      expect(servers[0]).toBe(nodeUrls[serviceNode(kind)]);
      expect(service?.build).toBe('.');
    }
    const nodesUsed = new Set(SERVICE_KINDS.map((kind) => serviceNode(kind)));
    expect(nodesUsed.size).toBe(NATS_NODES);
  });

  it('runs the coordinator with the runner command the distributed test runs, once every service is healthy', () => {
    const runner = services['runner'];
    expect(runner?.command).toEqual([...runnerArguments(BOUNDED_TOPOLOGY, nodesFrom(RUNNER_NODE, nodeUrls), 'compose'), ...RUNNER_METRICS]);
    expect(runner?.depends_on).toEqual(healthyAfter(SERVICE_KINDS));
  });

  it('is valid for Compose v1 and v2: no top-level name or version, only services and x- extensions', () => {
    expect(Object.keys(compose).filter((key) => !key.startsWith('x-'))).toEqual(['services']);
    expect(composeText).not.toMatch(/^name:/m);
    expect(composeText).not.toMatch(/^version:/m);
  });

  it('gives every NATS node and every serve container a healthcheck, and starts each after what it needs is healthy', () => {
    for (const name of nodeNames) {
      const check = services[name]?.healthcheck;
      expect(check?.test?.[0]).toBe('CMD');
      expect(check?.test?.join(' ')).toContain('http://127.0.0.1:8222/healthz');
      expect(services[name]?.command).toContain('8222');
      expect(check?.retries).toBeGreaterThan(0);
    }
    for (const kind of SERVICE_KINDS) {
      const check = services[kind]?.healthcheck;
      expect(check?.test?.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(check?.test?.[3]).toContain(`http://127.0.0.1:${(SERVE_METRICS[1] as string).split(':')[1]}/healthz`);
      expect(services[kind]?.depends_on).toEqual(healthyAfter(nodeNames));
    }
  });

  it('gives every long-running container a healthcheck (the runner is the job itself)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'runner') continue;
      expect(service.healthcheck?.test?.[0], name).toBe('CMD');
    }
  });

  it('has Prometheus scrape the runner and every serve container where they listen, with a config promtool accepts', () => {
    const config = parse(readFileSync(`${ROOT}observability/prometheus.yml`, 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((entry) => entry.targets)).sort();
    const port = (command: readonly string[] | undefined): string => (command?.[command.indexOf('--metrics-listen') + 1] ?? '').split(':')[1] ?? '';
    expect(targets).toEqual(['runner', ...SERVICE_KINDS].map((name) => `${name}:${port(services[name]?.command)}`).sort());
    for (const volume of [...(services['prometheus']?.volumes ?? []), ...(services['grafana']?.volumes ?? [])]) {
      expect(existsSync(`${ROOT}${(volume.split(':')[0] as string).replace(/^\.\//, '')}`), volume).toBe(true);
    }
    const check = spawnSync('promtool', ['check', 'config', `${ROOT}observability/prometheus.yml`], { encoding: 'utf8' });
    if (check.error !== undefined) console.warn('\n*** SKIPPED promtool check config: promtool not found (install it: apt-get install prometheus) ***\n');
    else expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it('provisions a Grafana dashboard whose every query asks for metrics ioasim serves, from the provisioned data source', () => {
    const dashboard = JSON.parse(readFileSync(`${ROOT}observability/grafana/dashboards/ioasim.json`, 'utf8')) as {
      uid: string;
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    const source = parse(readFileSync(`${ROOT}observability/grafana/provisioning/datasources/prometheus.yml`, 'utf8')) as { datasources: { uid: string; url: string }[] };
    expect(source.datasources[0]?.url).toBe('http://prometheus:9090');
    const known = new Set<string>([...LIVE_METRIC_NAMES, ...SERVE_METRIC_NAMES]);
    expect(dashboard.panels.length).toBeGreaterThan(3);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe(source.datasources[0]?.uid);
      for (const target of panel.targets) {
        const names = [...target.expr.matchAll(/\bioasim_[a-z_]+/g)].map((match) => match[0].replace(/_(bucket|sum|count)$/, ''));
        expect(names.length, target.expr).toBeGreaterThan(0);
        for (const name of names) expect(known.has(name), `${panel.title}: ${name}`).toBe(true);
      }
    }
  });

  it('builds the image in two stages: compiled with every dependency, run with production ones only, as a non-root user', () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    const stages = dockerfile.split(/^(?=FROM )/m).filter((stage) => stage.startsWith('FROM'));
    expect(stages).toHaveLength(2);
    const [build, image] = stages as [string, string];
    expect(build).toMatch(/^FROM node:20 AS build$/m);
    expect(build).toContain('RUN npm ci');
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(image).toMatch(/^FROM node:20-slim$/m);
    expect(image).toMatch(/^ENV NODE_ENV=production$/m);
    expect(image).toContain('COPY --from=build /ioasim/node_modules node_modules');
    expect(image).not.toMatch(/npm (ci|install)/);
    const users = [...image.matchAll(/^USER (\S+)$/gm)].map((match) => match[1]);
    expect(users).toEqual(['node']);
    expect(image.indexOf('USER node')).toBeLessThan(image.indexOf('ENTRYPOINT'));
    for (const service of Object.values(services)) expect(service.user).toBeUndefined();
    expect(image).toContain(`ENTRYPOINT [${['node', ...NODE_FLAGS, 'packages/cli/bin/ioasim.js'].map((word) => JSON.stringify(word)).join(', ')}]`);
  });
});
