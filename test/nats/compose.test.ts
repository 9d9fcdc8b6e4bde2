import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NODE_FLAGS } from '@ioasim/cli';
import { NATS_CLUSTER_NAME, SERVICE_KINDS } from '@ioasim/sim/distributed';
import { BOUNDED_TOPOLOGY, NATS_NODES, RUNNER_NODE, runnerArguments, serviceCommand, serviceNode } from './commands.js';

type ComposeService = {
  readonly image?: string;
  readonly build?: string;
  readonly command?: readonly string[];
  readonly depends_on?: readonly string[];
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const nodeNames = Array.from({ length: NATS_NODES }, (_, index) => `nats-${index + 1}`);
const nodeUrls = nodeNames.map((name) => `nats://${name}:4222`);

describe('docker-compose.yml', () => {
  it('has exactly three NATS nodes, one runner and one container per service kind', () => {
    expect(Object.keys(services).sort()).toEqual([...nodeNames, ...SERVICE_KINDS, 'runner'].sort());
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

  it('runs each service with the very serve command the distributed test runs, on the node the test uses', () => {
    for (const kind of SERVICE_KINDS) {
      const service = services[kind];
      expect(service?.command).toEqual(serviceCommand(kind, nodeUrls, BOUNDED_TOPOLOGY, 'compose'));
      expect(service?.depends_on).toEqual([nodeNames[serviceNode(kind)]]);
      expect(service?.build).toBe('.');
    }
    const nodesUsed = new Set(SERVICE_KINDS.map((kind) => serviceNode(kind)));
    expect(nodesUsed.size).toBe(NATS_NODES);
  });

  it('runs the coordinator with the runner command the distributed test runs, after every service', () => {
    const runner = services['runner'];
    expect(runner?.command).toEqual(runnerArguments(BOUNDED_TOPOLOGY, [nodeUrls[RUNNER_NODE] as string], 'compose'));
    expect([...(runner?.depends_on ?? [])].sort()).toEqual([...SERVICE_KINDS].sort());
  });

  it('builds the image the services run from the Dockerfile at the root, which builds with npm ci', () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20$/m);
    expect(dockerfile).toContain('RUN npm ci');
    expect(dockerfile).toContain(`ENTRYPOINT [${['node', ...NODE_FLAGS, 'packages/cli/bin/ioasim.js'].map((word) => JSON.stringify(word)).join(', ')}]`);
  });
});
