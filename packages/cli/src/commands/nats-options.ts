/**
 * The NATS options shared by `serve` and `run --transport nats`, declared
 * for the argument parser and the help: `--nats`, `--creds`, `--nkey-seed`,
 * `--tls-ca`, `--tls-cert`, `--tls-key`. Apart from their parsing
 * (nats-connection.ts), so that `ioasim run` declares them without loading
 * the NATS client of distributed mode.
 */

/** The parseArgs declarations of the NATS options. */
export const NATS_OPTIONS = {
  nats: { type: 'string' },
  creds: { type: 'string' },
  'nkey-seed': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

/** The names of the options that go with a NATS connection (for "--x goes with --transport nats"). */
export const NATS_OPTION_NAMES = Object.keys(NATS_OPTIONS);

/** Their lines in a command's help. */
export const NATS_OPTIONS_HELP = `  --nats <url,...>   NATS servers, e.g. nats://127.0.0.1:4222, comma-separated, in order of preference
                     (the first that answers, the others on failover); a URL may carry
                     credentials: nats://user:password@host:port or nats://token@host:port (or set
                     IOASIM_NATS_USER and IOASIM_NATS_PASSWORD, or IOASIM_NATS_TOKEN)
  --creds <file>     a NATS credentials file (decentralized auth: user JWT and nkey seed)
  --nkey-seed <file> a file holding a user nkey seed (SU...)
  --tls-ca <file>    the CA certificate (PEM) that signed the servers' certificates
  --tls-cert <file>  the client certificate (PEM), for servers that verify clients; with --tls-key
  --tls-key <file>   the client certificate's key (PEM)`;
