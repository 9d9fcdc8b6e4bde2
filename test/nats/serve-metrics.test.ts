/**
 * `ioasim serve --metrics-listen`, against a real nats-server: the process
 * serves its connection and bus counters in Prometheus text format (labelled
 * with run, service and shard; accepted by `promtool check metrics` when
 * promtool is installed) and `/healthz`, 200 while it is connected to NATS
 * and 503 once its server is gone: what the serve containers of
 * docker-compose.yml are health-checked by.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_METRIC_NAMES, type NatsServers } from '@ioasim/sim/distributed';
import { exposition, promtoolCheck } from '../explain/prometheus.js';
import { ProcessGroup, natsSkipped, natsStart, stopAll } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;
const SMALL = `${ROOT}test/nats/fixtures/small.yaml`;

const until = async <T>(what: string, probe: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe.skipIf(natsSkipped('serve metrics'))('ioasim serve --metrics-listen', () => {
  let nats: NatsServers | null = null;
  const processes = new ProcessGroup();

  beforeAll(async () => {
    nats = await natsStart(1);
  });

  afterAll(async () => {
    await stopAll(nats, [processes]);
  });

  it('serves its bus counters and a health check that follows its NATS connection', async () => {
    const lines: string[] = [];
    processes.start('serve all', process.execPath, [BIN, 'serve', 'all', '--nats', nats?.urls[0] ?? '', '--topology', SMALL, '--run', 'health', '--metrics-listen', '127.0.0.1:0'], (line) => lines.push(line));
    const url = await until('the metrics line', async () => {
      for (const line of lines) {
        const match = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics), health on (http:\/\/127\.0\.0\.1:\d+\/healthz)$/.exec(line);
        if (match !== null) return { metrics: match[1] as string, health: match[2] as string };
      }
      return null;
    });
    const health = await fetch(url.health);
    expect(health.status).toBe(200);
    const text = await (await fetch(url.metrics)).text();
    const { types, samples } = exposition(text);
    expect([...types.keys()]).toEqual([...SERVE_METRIC_NAMES]);
    for (const sample of samples) expect(sample.labels).toMatchObject({ run: 'health', service: 'all', shard: '0/1' });
    expect(samples.find((sample) => sample.name === 'ioasim_serve_connected')?.value).toBe(1);
    // It announces itself every 500 ms: its published count grows.
    expect(samples.find((sample) => sample.name === 'ioasim_bus_published_total')?.value).toBeGreaterThan(0);
    expect(promtoolCheck(text) ?? []).toEqual([]);

    await nats?.kill(0);
    const status = await until('an unhealthy /healthz', async () => {
      const response = await fetch(url.health);
      return response.status === 200 ? null : response.status;
    });
    expect(status).toBe(503);
    expect(await (await fetch(url.metrics)).text()).toMatch(/^ioasim_serve_connected\{[^}]*\} 0$/m);
  });
});
