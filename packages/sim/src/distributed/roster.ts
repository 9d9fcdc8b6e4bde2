/**
 * The coordinator's roster of the `ioasim serve` processes of its run: who
 * announced itself, which of them it may run with, and how far each one is.
 *
 * A process is known by its instance, so two processes of one kind and shard
 * are two processes (and cover the same hosts twice). One is refused, with
 * the reason, when it belongs to another coordinator (a process left from an
 * earlier run still holds that run's actors), runs another ioasim version,
 * or serves a topology whose normalized content differs (compared by hash,
 * not by name). Once the coordinator has claimed its processes (`close`), a
 * free process announcing itself is left out, and said so once.
 */
import {
  SERVICE_KINDS,
  type ProcessId,
  type ProcessInstance,
  type RunControl,
  type Topology,
} from '@ioasim/protocol';
import { IOASIM_VERSION } from '../version.js';
import { TOPOLOGY_HASH_SHOWN, topologyHash } from './topology-identity.js';

export type ProcessState = {
  readonly id: ProcessInstance;
  readonly hosts: readonly string[];
  readonly pid: number;
  prepared: boolean;
  workloadsDone: boolean;
  devicesIdle: boolean;
  accessesEnded: number;
  finished: Extract<RunControl, { kind: 'finished' }> | null;
  /** What the process said of its actors that stopped; null while none has. */
  failed: readonly string[] | null;
  /** Once released at the end of the run: whether the process re-armed for another run (else it exits). */
  released: { readonly rearmed: boolean } | null;
};

type Ready = Extract<RunControl, { kind: 'ready' }>;

export const processKey = (id: ProcessId): string => `${id.service} ${id.shard}/${id.shards}`;

/** A process in messages: kind, shard and pid (`all 0/1 (pid 4242)`). */
export const processLabel = (process: { readonly id: ProcessId; readonly pid: number }): string => `${processKey(process.id)} (pid ${process.pid})`;

export class ProcessRoster {
  /** The processes of the run, by instance. */
  readonly processes = new Map<string, ProcessState>();
  readonly #refusals = new Map<string, string>();
  readonly #leftOut = new Set<string>();
  readonly #hash: string;
  #closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly run: string,
    /** The coordinator's claim: what its processes say once prepared. */
    readonly claim: string,
    private readonly log: (line: string) => void,
    private readonly warn: (line: string) => void,
  ) {
    this.#hash = topologyHash(topology);
  }

  /** A run-control record from a process; `moved` is told when a device process reports more accesses ended. */
  heard(record: RunControl, moved: () => void): void {
    switch (record.kind) {
      case 'ready':
        this.#ready(record);
        return;
      case 'prepared':
      case 'progress':
      case 'failed':
      case 'finished':
      case 'released': {
        const state = this.processes.get(record.instance);
        if (state === undefined) return;
        if (record.kind === 'failed') {
          state.failed = record.errors;
        } else if (record.kind === 'prepared') {
          state.prepared = true;
        } else if (record.kind === 'progress') {
          state.workloadsDone = record.workloadsDone;
          state.devicesIdle = record.devicesIdle;
          if (record.accessesEnded !== state.accessesEnded) moved();
          state.accessesEnded = record.accessesEnded;
        } else if (record.kind === 'finished') {
          state.finished = record;
        } else {
          state.released = { rearmed: record.rearmed };
        }
        return;
      }
      case 'clockReply':
      case 'clockProbe':
      case 'prepare':
      case 'start':
      case 'unplug':
      case 'heal':
      case 'finish':
      case 'release':
        return;
      default: {
        const unknown: never = record;
        void unknown;
      }
    }
  }

  /** The processes refused, each with why; none may run with this coordinator. */
  get refusals(): readonly string[] {
    return [...this.#refusals.values()];
  }

  /** The run is prepared: the processes known now are the run's, a free one heard later is left out. */
  close(): void {
    this.#closed = true;
  }

  get states(): ProcessState[] {
    return [...this.processes.values()];
  }

  /** A `ready` heard (announced, or found by the NATS services protocol, serve-discovery.ts). */
  #ready(record: Ready): void {
    if (this.#refusals.has(record.instance)) return;
    const label = processLabel({ id: record, pid: record.pid });
    const refusal = this.#refusal(record, label);
    if (this.processes.has(record.instance)) {
      // Known as free, now claimed by another coordinator (it was heard before that claim): refused after all.
      if (refusal !== null && !this.#closed) {
        this.processes.delete(record.instance);
        this.#refusals.set(record.instance, refusal);
      }
      return;
    }
    if (refusal !== null) {
      this.#refusals.set(record.instance, refusal);
      return;
    }
    if (this.#closed) {
      if (!this.#leftOut.has(record.instance)) this.warn(`${label} announced itself after the run was prepared: left out of it (it builds no actor)`);
      this.#leftOut.add(record.instance);
      return;
    }
    this.processes.set(record.instance, {
      id: record,
      hosts: record.hosts,
      pid: record.pid,
      prepared: false,
      workloadsDone: false,
      devicesIdle: false,
      accessesEnded: 0,
      finished: null,
      failed: null,
      released: null,
    });
    this.log(`ready: ${processKey(record)} (pid ${record.pid}, hosts ${record.hosts.join(', ') || 'none'})`);
  }

  #refusal(record: Ready, label: string): string | null {
    if (record.claim !== null && record.claim !== this.claim) {
      return (
        `${label} belongs to another coordinator of run "${this.run}" (${record.claim}) and still holds that run's actors: ` +
        `a serve process serves one run; stop it (kill ${record.pid}) and start a fresh one`
      );
    }
    if (record.version !== IOASIM_VERSION) return `${label} runs ioasim ${record.version}, this coordinator ${IOASIM_VERSION}`;
    if (record.topologyHash !== this.#hash) {
      const shown = (hash: string): string => hash.slice(0, TOPOLOGY_HASH_SHOWN);
      return (
        `${label} serves topology "${record.topology}" with content sha256 ${shown(record.topologyHash)}, ` +
        `this run "${this.topology.name}" sha256 ${shown(this.#hash)}: start it with the same topology file`
      );
    }
    return null;
  }
}

/** Which (kind, host) pairs no ready process serves, and which more than one does (each named with its pid when known). */
export function coverageCheck(
  topology: Topology,
  processes: readonly { readonly id: ProcessId; readonly hosts: readonly string[]; readonly pid?: number }[],
): { missing: string[]; duplicates: string[] } {
  const missing: string[] = [];
  const duplicates: string[] = [];
  const named = (state: (typeof processes)[number]): string => (state.pid === undefined ? processKey(state.id) : `${processKey(state.id)} pid ${state.pid}`);
  for (const kind of SERVICE_KINDS) {
    const uncovered: string[] = [];
    for (const host of topology.hosts) {
      const serving = processes.filter((state) => (state.id.service === kind || state.id.service === 'all') && state.hosts.includes(host.name));
      if (serving.length === 0) uncovered.push(host.name);
      if (serving.length > 1) duplicates.push(`${kind} for host ${host.name} (${serving.map(named).join(', ')})`);
    }
    if (uncovered.length > 0) missing.push(`${kind} for host(s) ${uncovered.join(', ')}`);
  }
  return { missing, duplicates };
}
