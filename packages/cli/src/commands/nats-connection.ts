/**
 * The NATS options of `serve` and `run --transport nats` (nats-options.ts)
 * made into servers and a NatsSecurity: `--nats`, a comma-separated list of
 * server URLs (a bare host:port gets nats://), which may carry a user and
 * password or a token; `--creds`, `--nkey-seed`; and `--tls-ca`,
 * `--tls-cert`, `--tls-key`. A password or token may come from the
 * environment instead (NATS_SECRET_ENVIRONMENT), so that it is on no
 * command line.
 *
 * Invariants: the servers returned carry no credentials (they are in the
 * security); every message quotes a URL with its password or token masked;
 * at most one identity is given; every file named can be read.
 */
import { readFileSync } from 'node:fs';
import { NATS_SECRET_ENVIRONMENT, natsUrlCredentials, natsUrlRedact, type NatsSecurity } from '@ioasim/sim/distributed';
import { UsageError } from '../arguments.js';

export type NatsOptions = { readonly servers: string[]; readonly security: NatsSecurity };

type Values = Readonly<Record<string, string | boolean | undefined>>;

export function natsOptions(values: Values, environment: NodeJS.ProcessEnv = process.env): NatsOptions {
  const urls = natsUrls(values['nats']);
  const fromUrls = urls.map(natsUrlCredentials);
  const withCredentials = fromUrls.filter((entry) => Object.keys(entry.security).length > 0);
  const first = withCredentials[0]?.security;
  if (first !== undefined && withCredentials.some((entry) => !securitySame(entry.security, first))) {
    throw new UsageError(`--nats: the URLs carry different credentials (${urls.map(natsUrlRedact).join(',')}); give the same to every server, or none`);
  }
  const security: NatsSecurity = {
    ...(first ?? environmentSecurity(environment)),
    ...fileOption(values, 'creds', 'credsFile'),
    ...fileOption(values, 'nkey-seed', 'nkeySeedFile'),
    ...fileOption(values, 'tls-ca', 'tlsCaFile'),
    ...fileOption(values, 'tls-cert', 'tlsCertFile'),
    ...fileOption(values, 'tls-key', 'tlsKeyFile'),
  };
  const identities = [
    security.user === undefined ? null : 'a user and password',
    security.token === undefined ? null : 'a token',
    security.credsFile === undefined ? null : '--creds',
    security.nkeySeedFile === undefined ? null : '--nkey-seed',
  ].filter((identity) => identity !== null);
  if (identities.length > 1) throw new UsageError(`NATS takes one identity, found ${identities.join(' and ')}`);
  if ((security.tlsCertFile === undefined) !== (security.tlsKeyFile === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: a client certificate and its key');
  }
  return { servers: fromUrls.map((entry) => entry.url), security };
}

function natsUrls(value: string | boolean | undefined): string[] {
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
      throw new UsageError(`--nats: "${natsUrlRedact(server)}" is not a URL, e.g. nats://127.0.0.1:4222`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new UsageError(`--nats: "${natsUrlRedact(server)}" must be a nats:// or tls:// URL`);
  }
  return servers;
}

function securitySame(a: NatsSecurity, b: NatsSecurity): boolean {
  return a.user === b.user && a.password === b.password && a.token === b.token;
}

function environmentSecurity(environment: NodeJS.ProcessEnv): NatsSecurity {
  const user = environment[NATS_SECRET_ENVIRONMENT.user];
  const password = environment[NATS_SECRET_ENVIRONMENT.password];
  const token = environment[NATS_SECRET_ENVIRONMENT.token];
  if (password !== undefined && user === undefined) {
    throw new UsageError(`${NATS_SECRET_ENVIRONMENT.password} is set without ${NATS_SECRET_ENVIRONMENT.user}`);
  }
  return {
    ...(user === undefined ? {} : { user, password: password ?? '' }),
    ...(token === undefined ? {} : { token }),
  };
}

type FileKey = 'credsFile' | 'nkeySeedFile' | 'tlsCaFile' | 'tlsCertFile' | 'tlsKeyFile';

function fileOption(values: Values, name: string, key: FileKey): Partial<Record<FileKey, string>> {
  const path = values[name];
  if (path === undefined) return {};
  if (typeof path !== 'string' || path.length === 0) throw new UsageError(`--${name} needs a file`);
  try {
    readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`--${name}: cannot read "${path}" (${reason})`);
  }
  return { [key]: path };
}
