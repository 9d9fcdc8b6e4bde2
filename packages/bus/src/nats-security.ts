/**
 * How a NatsBus proves who it is to NATS and checks the server: user and
 * password, a token, a credentials file (decentralized auth: a user JWT and
 * its nkey seed) or an nkey seed file, and TLS. Also what goes wrong when
 * connecting, classified, in messages that never hold a secret.
 *
 * Invariants:
 * - a server URL handed to the client carries no credentials: the client
 *   silently drops them (it keeps host and port only), so they are taken out
 *   here and given as options;
 * - every text built here, and every URL shown, has its password or token
 *   masked (`natsUrlRedact`); a user name is shown, a password or token never;
 * - at most one identity is given (user/password, token, creds or nkey seed);
 *   TLS goes with any of them.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type NodeConnectionOptions } from '@nats-io/transport-node';

export type NatsSecurity = {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** A NATS credentials file: a user JWT and its nkey seed (decentralized auth). */
  readonly credsFile?: string;
  /** A file holding a user nkey seed (`SU...`), for a server that lists the user's public nkey. */
  readonly nkeySeedFile?: string;
  /** The CA that signed the server's certificate (PEM), when the system's CAs do not. */
  readonly tlsCaFile?: string;
  /** The client's certificate and key (PEM), for a server that verifies its clients. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
};

/** Why a connection could not be made: the first two are the user's to fix and worth no retry. */
export const NATS_CONNECT_FAILURES = ['credentials', 'tls', 'unreachable'] as const;
export type NatsConnectFailure = (typeof NATS_CONNECT_FAILURES)[number];

export class NatsConnectError extends Error {
  override readonly name = 'NatsConnectError';
  constructor(
    readonly reason: NatsConnectFailure,
    message: string,
  ) {
    super(message);
  }
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:,]*)(?::([^\s/@,]*))?@/gi;

/** `text` with the password or token of every URL in it masked: nats://alice:***@host, nats://***@host. */
export function natsUrlRedact(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, user: string, password: string | undefined) =>
    password === undefined ? `${scheme}***@` : `${scheme}${user}:***@`,
  );
}

/** The credentials one server URL carries: `nats://user:password@host` or `nats://token@host`; none if it has none. */
export function natsUrlCredentials(url: string): { readonly url: string; readonly security: NatsSecurity } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, security: {} };
  }
  if (parsed.username === '' && parsed.password === '') return { url, security: {} };
  const authority = url.slice(url.indexOf('://') + 3, url.lastIndexOf('@'));
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const clean = parsed.toString().replace(/\/$/, '');
  return { url: clean, security: authority.includes(':') ? { user, password } : { token: user } };
}

/** Which identity a connection presents, for messages: a user name, never a password, token or seed. */
export function natsSecurityDescribe(security: NatsSecurity): string {
  if (security.user !== undefined) return `user "${security.user}"`;
  if (security.token !== undefined) return 'a token';
  if (security.credsFile !== undefined) return `creds file ${security.credsFile}`;
  if (security.nkeySeedFile !== undefined) return `nkey seed file ${security.nkeySeedFile}`;
  return 'no credentials';
}

/** The client options of `security`: an authenticator or user/password/token, and TLS when asked for or when a URL is tls://. */
export function natsSecurityOptions(security: NatsSecurity, servers: readonly string[]): Partial<NodeConnectionOptions> {
  const options: Partial<NodeConnectionOptions> = {};
  if (security.user !== undefined) {
    options.user = security.user;
    options.pass = security.password ?? '';
  }
  if (security.token !== undefined) options.token = security.token;
  if (security.credsFile !== undefined) options.authenticator = credsAuthenticator(fileRead(security.credsFile, 'creds'));
  if (security.nkeySeedFile !== undefined) {
    const seed = new TextEncoder().encode(new TextDecoder().decode(fileRead(security.nkeySeedFile, 'nkey seed')).trim());
    options.authenticator = nkeyAuthenticator(seed);
  }
  const tlsWanted = servers.some((server) => server.toLowerCase().startsWith('tls://'));
  if (tlsWanted || security.tlsCaFile !== undefined || security.tlsCertFile !== undefined || security.tlsKeyFile !== undefined) {
    options.tls = {
      ...(security.tlsCaFile === undefined ? {} : { caFile: security.tlsCaFile }),
      ...(security.tlsCertFile === undefined ? {} : { certFile: security.tlsCertFile }),
      ...(security.tlsKeyFile === undefined ? {} : { keyFile: security.tlsKeyFile }),
    };
  }
  return options;
}

function fileRead(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new NatsConnectError('credentials', `cannot read the ${what} file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Node's codes for a certificate the client does not trust or cannot check. */
const TLS_ERROR_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|ALTNAME/;

/** The connection error `error` as a NatsConnectError: what failed, against which servers, with which identity; no secret in it. */
export function natsConnectFailure(error: unknown, servers: readonly string[], security: NatsSecurity): NatsConnectError {
  if (error instanceof NatsConnectError) return error;
  const where = servers.map(natsUrlRedact).join(',');
  const message = natsUrlRedact(error instanceof Error ? error.message : String(error));
  const name = error instanceof Error ? error.name : '';
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (name === 'AuthorizationError' || name === 'UserAuthenticationExpiredError' || /authoriz|authentication/i.test(message)) {
    return new NatsConnectError('credentials', `NATS at ${where} refused the credentials (${natsSecurityDescribe(security)}): ${message}`);
  }
  if (TLS_ERROR_CODE.test(code) || /\btls\b|certificate/i.test(message)) {
    const hint = security.tlsCaFile === undefined && /certificate/i.test(message) ? " (no CA file was given for the server's certificate)" : '';
    return new NatsConnectError('tls', `TLS with NATS at ${where} failed: ${message}${hint}`);
  }
  if (/doesn't exist|no such file/i.test(message)) return new NatsConnectError('tls', `TLS with NATS at ${where} failed: ${message}`);
  const tlsHint = name === 'TimeoutError' && security.tlsCertFile === undefined && security.tlsCaFile !== undefined ? ' (a server that verifies clients needs a client certificate)' : '';
  return new NatsConnectError('unreachable', `cannot reach NATS at ${where}: ${message}${tlsHint}`);
}
