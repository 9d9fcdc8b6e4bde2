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

  it('names its draft, its id and its title first, for editors', () => {
    const schema = topologyJsonSchema();
    expect(Object.keys(schema).slice(0, 3)).toEqual(['$schema', '$id', 'title']);
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe('urn:ioasim:topology:1');
  });

  it('documents the defaults of the device\'s timeouts and retry budgets', () => {
    const schema = topologyJsonSchema() as { properties: { settings: { properties: Record<string, { default?: unknown }> } } };
    const settings = schema.properties.settings.properties;
    expect(Object.fromEntries(['deviceTimeout', 'retries', 'translationTimeout', 'translationRetries'].map((name) => [name, settings[name]?.default]))).toEqual({
      deviceTimeout: '1ms',
      retries: 3,
      translationTimeout: '1ms',
      translationRetries: 3,
    });
  });
});
