/**
 * The `--nats <url,...>` option shared by `serve` and `run --transport nats`:
 * a comma-separated list of NATS server URLs; a bare host:port gets nats://.
 */
import { UsageError } from '../arguments.js';

export function natsServersOption(value: string | boolean | undefined): string[] {
  if (value === undefined) return [];
  const servers = String(value)
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server.length > 0)
    .map((server) => (server.includes('://') ? server : `nats://${server}`));
  for (const server of servers) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new UsageError(`--nats: "${server}" is not a URL, e.g. nats://127.0.0.1:4222`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new UsageError(`--nats: "${server}" must be a nats:// URL`);
  }
  return servers;
}
