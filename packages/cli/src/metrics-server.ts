/**
 * `--metrics-port <p>`: an HTTP server that answers `GET /metrics` with the
 * run's live metrics in Prometheus text format while the run goes on (see
 * LiveMetrics in the sim package). It listens on the loopback interface;
 * port 0 takes a free port. Any other path is a 404.
 */
import { createServer, type Server } from 'node:http';
import type { LiveMetrics } from '@ioasim/sim';
import { UsageError } from './arguments.js';

export const METRICS_HOST = '127.0.0.1';
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricsServer = { readonly port: number; close(): Promise<void> };

/** Wall-clock nanoseconds since now, for faults per wall second. */
export function wallSince(): () => number {
  const started = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - started);
}

export function metricsServe(metrics: LiveMetrics, port: number): Promise<MetricsServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--metrics-port expects a port 0-65535, found ${port}`);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('ioasim serves GET /metrics\n');
      return;
    }
    response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(metrics.render());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new UsageError(`--metrics-port ${port}: ${error.message}`)));
    server.listen(port, METRICS_HOST, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
