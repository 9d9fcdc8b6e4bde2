/**
 * The JSON Schema of the format, generated from the zod schema.
 */
import { describe, expect, it } from 'vitest';
import { topologyJsonSchema } from '@ioasim/topology';

describe('topologyJsonSchema', () => {
  it('describes the topology object and its hosts', () => {
    const schema = topologyJsonSchema() as { type?: unknown; properties?: Record<string, unknown>; additionalProperties?: unknown; required?: unknown };
    expect(schema.type).toBe('object');
    expect(schema.properties).toHaveProperty('hosts');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['version', 'name', 'hosts']);
  });
});
