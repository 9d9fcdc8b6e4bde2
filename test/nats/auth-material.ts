/**
 * What the credential and TLS tests give nats-server and the clients, made
 * fresh in a temporary folder by each suite: an nkey user list, an operator
 * with one account and user (decentralized auth: JWTs signed with nkeys, as
 * `nsc` makes them), and a CA with a server and a client certificate made
 * with `openssl`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';

/** A nats-server configuration that admits the holder of `seedFile`, and a seed of a user it does not list. */
export function nkeyMaterial(folder: string): { config: string; seedFile: string; strangerSeedFile: string; strangerSeed: string } {
  const user = createUser();
  const stranger = createUser();
  const config = join(folder, 'nkeys.conf');
  writeFileSync(config, `authorization {\n  users = [\n    { nkey: ${user.getPublicKey()} }\n  ]\n}\n`);
  const seedFile = join(folder, 'user.nk');
  writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
  const strangerSeedFile = join(folder, 'stranger.nk');
  const strangerSeed = new TextDecoder().decode(stranger.getSeed());
  writeFileSync(strangerSeedFile, `${strangerSeed}\n`, { mode: 0o600 });
  return { config, seedFile, strangerSeedFile, strangerSeed };
}

/** An operator-mode nats-server configuration (memory resolver, one account) and a creds file of a user of that account. */
export function credsMaterial(folder: string): { config: string; credsFile: string; strangerCredsFile: string; strangerSeed: string } {
  const operator = createOperator();
  const account = createAccount();
  const stranger = createAccount();
  const operatorJwt = jwtSign(operator, operator.getPublicKey(), 'ioasim-test', { type: 'operator' });
  const limits = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };
  const accountJwt = jwtSign(operator, account.getPublicKey(), 'ioasim', { type: 'account', limits });
  const config = join(folder, 'operator.conf');
  writeFileSync(config, `operator: ${operatorJwt}\nresolver: MEMORY\nresolver_preload: {\n  ${account.getPublicKey()}: ${accountJwt}\n}\n`);
  const credsFile = join(folder, 'user.creds');
  writeFileSync(credsFile, credsText(account).text, { mode: 0o600 });
  const strangerCredsFile = join(folder, 'stranger.creds');
  const strangerCreds = credsText(stranger);
  writeFileSync(strangerCredsFile, strangerCreds.text, { mode: 0o600 });
  return { config, credsFile, strangerCredsFile, strangerSeed: strangerCreds.seed };
}

function credsText(account: KeyPair): { text: string; seed: string } {
  const user = createUser();
  const userJwt = jwtSign(account, user.getPublicKey(), 'ioasim-user', { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  const seed = new TextDecoder().decode(user.getSeed());
  return {
    text: `-----BEGIN NATS USER JWT-----\n${userJwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
    seed,
  };
}

/** A NATS JWT (version 2 claims) for `subject`, signed by `signer`. */
function jwtSign(signer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const base64 = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');
  const header = base64(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const claims: Record<string, unknown> = { iat: Math.floor(Date.now() / 1000), iss: signer.getPublicKey(), name, sub: subject, nats: { ...nats, version: 2 } };
  claims['jti'] = createHash('sha256').update(JSON.stringify(claims)).digest('base64url');
  const payload = base64(JSON.stringify(claims));
  return `${header}.${payload}.${base64(signer.sign(new TextEncoder().encode(`${header}.${payload}`)))}`;
}

export type TlsMaterial = {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
};

/** True when an `openssl` binary runs. */
export function opensslFound(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed CA, a server certificate for 127.0.0.1 and a client certificate it signed (RSA 2048, valid one day). */
export function tlsMaterial(folder: string): TlsMaterial {
  const path = (name: string): string => join(folder, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '1', '-subj', '/CN=ioasim test CA');
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, subject, extensions] of [
    ['server', '/CN=127.0.0.1', ['-extfile', path('server.ext')]],
    ['client', '/CN=ioasim client', []],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', subject);
    openssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path(`${name}.pem`), '-days', '1', ...extensions);
  }
  return { ca: path('ca.pem'), serverCert: path('server.pem'), serverKey: path('server.key'), clientCert: path('client.pem'), clientKey: path('client.key') };
}
