/**
 * Serve processes on the NATS services protocol (`@nats-io/services`): each
 * `ioasim serve` process registers as service SERVICE_NAME, answering
 * `$SRV.PING`, `$SRV.INFO` and `$SRV.STATS` with its name, ioasim's version
 * and metadata saying which run it serves, as which kind and shard, for
 * which hosts, on which machine, with which topology, and whose it is
 * (`claim`, empty while free). So `nats micro ls` lists them, `nats micro
 * info ioasim` shows them, and the coordinator finds them (`servesFind`)
 * beside their `ready` announcements.
 *
 * Invariants: the metadata of a service cannot change, so a process
 * registers again (a new service id) whenever it is claimed or released;
 * every value is a string, as the protocol requires.
 */
import { Svcm, type Service, type ServiceInfo } from '@nats-io/services';
import type { NatsBus } from '@ioasim/bus/nats';
import { SERVICE_KINDS, type RunControl, type ServeKind } from '@ioasim/protocol';
import { hostname } from 'node:os';

/** The service name of every serve process: `nats micro info ioasim`. */
export const SERVICE_NAME = 'ioasim';
/** How long the coordinator gathers `$SRV.INFO` answers. */
export const DISCOVERY_WAIT_MS = 400;

/** Who a serve process is: its `ready` record without the claim. */
export type ServeIdentity = Omit<Extract<RunControl, { kind: 'ready' }>, 'kind' | 'claim'>;

export class ServeDiscovery {
  readonly identity: ServeIdentity;
  readonly #bus: NatsBus;
  readonly #run: string;
  #service: Service | null = null;

  constructor(bus: NatsBus, identity: ServeIdentity & { readonly run: string }) {
    const { run, ...rest } = identity;
    this.identity = rest;
    this.#bus = bus;
    this.#run = run;
  }

  /** Registers (again) with `claim` in the metadata: null while the process belongs to no coordinator. */
  async register(claim: string | null): Promise<void> {
    await this.stop();
    const svcm = new Svcm(this.#bus.connection as unknown as ConstructorParameters<typeof Svcm>[0]);
    this.#service = await svcm.add({
      name: SERVICE_NAME,
      version: this.identity.version,
      description: `ioasim serve ${this.identity.service} ${this.identity.shard}/${this.identity.shards} of run ${this.#run}`,
      metadata: serveMetadata(this.#run, this.identity, claim),
    });
  }

  async stop(): Promise<void> {
    const service = this.#service;
    this.#service = null;
    if (service !== null && !service.isStopped) await service.stop();
  }
}

/** The metadata of a serve process's service: its identity, its run and claim, and the machine it runs on. */
export function serveMetadata(run: string, identity: ServeIdentity, claim: string | null): Record<string, string> {
  return {
    run,
    kind: identity.service,
    shard: `${identity.shard}/${identity.shards}`,
    instance: identity.instance,
    hosts: identity.hosts.join(','),
    machine: hostname(),
    pid: String(identity.pid),
    topology: identity.topology,
    topology_hash: identity.topologyHash,
    claim: claim ?? '',
  };
}

/** The `ready` record a service's metadata stands for; null for a service of another run or not a serve process. */
export function readyFromInfo(info: ServiceInfo, run: string): Extract<RunControl, { kind: 'ready' }> | null {
  const metadata = info.metadata ?? {};
  if (info.name !== SERVICE_NAME || metadata['run'] !== run) return null;
  const shard = /^(\d+)\/(\d+)$/.exec(metadata['shard'] ?? '');
  const service = metadata['kind'];
  const instance = metadata['instance'];
  if (shard === null || service === undefined || !serveKind(service) || instance === undefined) return null;
  return {
    service,
    shard: Number(shard[1]),
    shards: Number(shard[2]),
    instance,
    kind: 'ready',
    hosts: (metadata['hosts'] ?? '').split(',').filter((host) => host.length > 0),
    topology: metadata['topology'] ?? '',
    topologyHash: metadata['topology_hash'] ?? '',
    version: info.version,
    pid: Number(metadata['pid'] ?? 0),
    claim: metadata['claim'] === undefined || metadata['claim'] === '' ? null : metadata['claim'],
  };
}

function serveKind(text: string): text is ServeKind {
  return text === 'all' || (SERVICE_KINDS as readonly string[]).includes(text);
}

/** The serve processes of `run` that answer `$SRV.INFO.ioasim` within DISCOVERY_WAIT_MS, as `ready` records. */
export async function servesFind(bus: NatsBus, run: string): Promise<Extract<RunControl, { kind: 'ready' }>[]> {
  const svcm = new Svcm(bus.connection as unknown as ConstructorParameters<typeof Svcm>[0]);
  const found: Extract<RunControl, { kind: 'ready' }>[] = [];
  try {
    const answers = await svcm.client({ strategy: 'timer', maxWait: DISCOVERY_WAIT_MS }).info(SERVICE_NAME);
    for await (const info of answers) {
      const ready = readyFromInfo(info, run);
      if (ready !== null) found.push(ready);
    }
  } catch {
    // No service answered (no responders), or the connection is down for now: nothing found this time.
  }
  return found;
}
