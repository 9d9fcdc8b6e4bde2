/**
 * What the chaos tests share: the chaos example (examples/chaos.yaml) as a
 * topology, optionally with smaller workloads so that hundreds of seeds run
 * in seconds, and the ioasim command run in process.
 */
import { readFileSync } from 'node:fs';
import { cliMain, type Io } from '@ioasim/cli';
import { type Topology } from '@ioasim/sim';
import { topologyWithChaos } from '@ioasim/sim/chaos';

export const CHAOS_EXAMPLE = new URL('../../examples/chaos.yaml', import.meta.url).pathname;

/** The chaos example, every workload cut to `count` accesses (null: as written). */
export function chaosExample(count: number | null = null): Topology {
  const loaded = topologyWithChaos(readFileSync(CHAOS_EXAMPLE, 'utf8'), CHAOS_EXAMPLE, []);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  if (count === null) return loaded.topology;
  const topology = loaded.topology;
  return {
    ...topology,
    hosts: topology.hosts.map((host) => ({ ...host, workloads: host.workloads.map((workload) => ({ ...workload, count })) })),
  };
}

export type Captured = { code: number; out: string; error: string };

export async function ioasim(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const error: string[] = [];
  const io: Io = { out: (text) => out.push(text), error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, out: out.join('\n'), error: error.join('\n') };
}
