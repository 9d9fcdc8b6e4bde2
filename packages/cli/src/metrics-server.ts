/**
 * `--metrics-listen <addr:port>` (or `--metrics-port <p>`, the same on
 * 127.0.0.1): an HTTP server that answers `GET /metrics` with the run's live
 * metrics in Prometheus text format while the run goes on (see LiveMetrics
 * in the sim package), and with `--metrics-linger <t>` for that long after
 * the run, so that the final state is scraped too. Port 0 takes a free
 * port. With a health check (`ioasim serve`), `GET /healthz` answers 200
 * while it holds and 503 otherwise. Any other path is a 404.
 */
import { createServer, type Server } from 'node:http';
import { parseDuration } from '@ioasim/sim';
import { UsageError } from './arguments.js';

export const METRICS_HOST = '127.0.0.1';
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricsAddress = { readonly host: string; readonly port: number };

export type MetricsServer = {
  /** The address it listens on, the port bound (for port 0). */
  readonly host: string;
  readonly port: number;
  /** `http://host:port/metrics`, an IPv6 host in brackets. */
  readonly url: string;
  close(): Promise<void>;
};

/** The metrics options of `ioasim run`, as argumentsParse takes them. */
export const METRICS_OPTIONS = {
  'metrics-port': { type: 'string' },
  'metrics-listen': { type: 'string' },
  'metrics-linger': { type: 'string' },
} as const;

export const METRICS_OPTIONS_HELP = `  --metrics-listen <addr:port>  serve live metrics in Prometheus text format on http://<addr:port>/metrics
                    while the run goes on, e.g. 0.0.0.0:9464 or [::]:9464 (port 0 = a free port,
                    printed on standard error); every series has a run label
  --metrics-port <p>  the same as --metrics-listen 127.0.0.1:<p>
  --metrics-linger <t>  keep serving the final metrics for t after the run (e.g. 30s), so that the
                    last scrape sees the end; the report is printed first`;

/** Wall-clock nanoseconds since now, for faults per wall second. */
export function wallSince(): () => number {
  const started = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - started);
}

function portParse(flag: string, text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} expects a port 0-65535, found "${text}"`);
  return port;
}

/** `host:port`, `[v6]:port` or `:port` (every interface), as `--metrics-listen` takes it. */
export function metricsAddressParse(text: string): MetricsAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`--metrics-listen expects <address>:<port>, e.g. 0.0.0.0:9464 or [::1]:9464; found "${text}"`);
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : (match[2] as string));
  return { host, port: portParse('--metrics-listen', match[3] as string) };
}

/** Where to serve metrics and how long to linger, from the options; null when no metrics are asked for. */
export function metricsOptions(values: Readonly<Record<string, string | boolean | undefined>>): { address: MetricsAddress; lingerMs: number } | null {
  const port = values['metrics-port'];
  const listen = values['metrics-listen'];
  const linger = values['metrics-linger'];
  if (port !== undefined && listen !== undefined) throw new UsageError('give --metrics-listen or --metrics-port, not both');
  let lingerMs = 0;
  if (linger !== undefined) {
    if (port === undefined && listen === undefined) throw new UsageError('--metrics-linger goes with --metrics-listen or --metrics-port');
    try {
      lingerMs = parseDuration(String(linger)) / 1e6;
    } catch (error) {
      throw new UsageError(`--metrics-linger: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (port !== undefined) return { address: { host: METRICS_HOST, port: portParse('--metrics-port', String(port)) }, lingerMs };
  if (listen !== undefined) return { address: metricsAddressParse(String(listen)), lingerMs };
  return null;
}

/** What a metrics server shows: a scrape, and (optional) whether the process is healthy. */
export type MetricsSource = { render(): string; readonly healthy?: () => boolean };

export function metricsServe(metrics: MetricsSource, address: MetricsAddress): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const healthy = metrics.healthy;
    if (request.method === 'GET' && path === '/healthz' && healthy !== undefined) {
      const ok = healthy();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not connected to NATS\n');
      return;
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('ioasim serves GET /metrics\n');
      return;
    }
    response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(metrics.render());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new UsageError(`metrics on ${address.host}:${address.port}: ${error.message}`)));
    server.listen(address.port, address.host, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
      const shown = address.host.includes(':') ? `[${address.host}]` : address.host;
      resolve({
        host: address.host,
        port,
        url: `http://${shown}:${port}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** After the run: keep `server` up `lingerMs` (saying so on `error`), then close it. */
export async function metricsLingerClose(server: MetricsServer | null, lingerMs: number, error: (line: string) => void): Promise<void> {
  if (server === null) return;
  if (lingerMs > 0) {
    error(`ioasim: the final metrics stay on ${server.url} for ${lingerMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, lingerMs));
  }
  await server.close();
}
