/**
 * What a serve process shows on `ioasim serve --metrics-listen`: its NATS
 * connection and bus counters in Prometheus text format (the run's fault
 * metrics are the coordinator's, which reads every process's trace), and
 * whether it is healthy (connected to NATS), for a container healthcheck.
 * Every series carries the run, service and shard labels.
 */
import type { NatsBus } from '@ioasim/bus/nats';
import type { ProcessId } from '@ioasim/protocol';

export const SERVE_METRIC_NAMES = [
  'ioasim_serve_connected',
  'ioasim_bus_published_total',
  'ioasim_bus_delivered_total',
  'ioasim_bus_dropped_total',
  'ioasim_bus_slow_consumers_total',
  'ioasim_bus_handler_errors_total',
] as const;

const escaped = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function serveMetricsRender(bus: NatsBus, id: ProcessId, run: string): string {
  const labels = `run="${escaped(run)}",service="${id.service}",shard="${id.shard}/${id.shards}"`;
  const stats = bus.stats;
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number, extra = ''): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${labels}${extra}} ${value}`);
  };
  metric('ioasim_serve_connected', 'gauge', 'Whether the process is connected to a NATS server: 1, or 0 while it reconnects.', bus.connected ? 1 : 0);
  metric('ioasim_bus_published_total', 'counter', 'Messages the process published.', stats.published);
  metric('ioasim_bus_delivered_total', 'counter', 'Messages delivered to the process handlers.', stats.delivered);
  metric('ioasim_bus_dropped_total', 'counter', 'Messages the client lost (published while disconnected).', stats.dropped, ',reason="transport"');
  metric('ioasim_bus_slow_consumers_total', 'counter', 'Times a subscription fell behind.', stats.slowConsumers ?? 0);
  metric('ioasim_bus_handler_errors_total', 'counter', 'Handlers that threw.', stats.handlerErrors);
  return `${lines.join('\n')}\n`;
}
