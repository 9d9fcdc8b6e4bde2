/**
 * The JSON Schema of the topology format, generated from the one zod schema
 * (schema.ts) so that it is never written twice. Editors use it to complete
 * and check topology files; descriptions come from the same text as the
 * loader's "expected ..." messages. Rules across fields (names, references,
 * attachments) are the loader's alone.
 */
import { z } from 'zod';
import { topologySchema } from './schema.js';

export function topologyJsonSchema(): object {
  return z.toJSONSchema(topologySchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' });
}
