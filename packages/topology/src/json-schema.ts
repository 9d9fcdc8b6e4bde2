/**
 * The JSON Schema of the topology format, generated from the one zod schema
 * (schema.ts) so that it is never written twice. Editors use it to complete
 * and check topology files; descriptions come from the same text as the
 * loader's "expected ..." messages. Rules across fields (names, references,
 * attachments) are the loader's alone.
 */
import { z } from 'zod';
import { topologySchema } from './schema.js';

/** The schema's identity: a URN, since a schema file is used where it is written, not fetched. */
export const TOPOLOGY_SCHEMA_ID = 'urn:ioasim:topology:1';

/** The JSON Schema, with `$schema` first, then its `$id`, `title` and `description`. */
export function topologyJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(topologySchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' });
  return {
    $schema,
    $id: TOPOLOGY_SCHEMA_ID,
    title: 'ioasim topology, version 1',
    description: 'A topology of ioasim (docs/topology.md): hosts, IOMMUs, devices, spaces, owners, workloads, fleets, timeline, settings and chaos.',
    ...rest,
  };
}
