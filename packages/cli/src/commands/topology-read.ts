/**
 * Loads the topology file a command names, printing every error to standard
 * error with its file, line and column.
 */
import { topologyErrorFormat, topologyLoad, type Topology } from '@ioasim/sim/topology';
import { UsageError } from '../arguments.js';
import type { Io } from '../io.js';

export function topologyRead(file: string | undefined, io: Io): Topology | null {
  if (file === undefined) throw new UsageError('missing <topology.yaml>');
  const result = topologyLoad(file);
  if (result.ok) return result.topology;
  for (const error of result.errors) io.error(topologyErrorFormat(error, file));
  io.error(`${file}: ${result.errors.length} error(s)`);
  return null;
}
