/**
 * Goal: docs/topology.md describes the format the loader accepts, all of it
 * and nothing else, with the defaults the loader applies. Its field tables
 * (rows that open with a field path in backticks) are compared with the
 * JSON Schema generated from the one zod schema, both ways; and each
 * default written as a value is checked by loading a topology with the
 * field left out and with it set to that value: both must normalize alike.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topologyFromObject, topologyJsonSchema } from '@ioasim/topology';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/topology.md', import.meta.url)), 'utf8');

/** Values shared by many fields, documented once under their own name (`<cost>.mean`), found by their description. */
const VALUE_TYPES: readonly (readonly [string, RegExp])[] = [
  ['<cost>', /^a cost:/],
  ['<rate>', /^a rate above zero per second: .*; or a list of steps/],
  ['<pattern>', /^one of: uniform/],
];

type SchemaNode = {
  readonly description?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly items?: SchemaNode;
  readonly prefixItems?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
};

/** Every field path of the schema: `hosts[].iommus[].priQueue`, and each value type's fields once (`<cost>.mean`). */
function schemaPaths(root: SchemaNode): Set<string> {
  const paths = new Set<string>();
  const typesWalked = new Set<string>();
  const walk = (node: SchemaNode, path: string): void => {
    const type = VALUE_TYPES.find(([, description]) => description.test(node.description ?? ''))?.[0];
    if (path !== '' && type !== undefined && !path.startsWith(type)) {
      if (!typesWalked.has(type)) {
        typesWalked.add(type);
        walk(node, type);
      }
      return;
    }
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(branch, path);
    if (node.items !== undefined) walk(node.items, `${path}[]`);
    for (const item of node.prefixItems ?? []) walk(item, `${path}[]`);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const childPath = path === '' ? name : `${path}.${name}`;
      paths.add(childPath);
      walk(child, childPath);
    }
  };
  walk(root, '');
  return paths;
}

type Row = { readonly path: string; readonly line: number; readonly cells: readonly string[] };

/** The rows of the document's field tables: `| \`path\` | unit | default | meaning |`. */
function documentedRows(text: string): Row[] {
  const rows: Row[] = [];
  text.split('\n').forEach((line, index) => {
    const match = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (match === null) return;
    rows.push({ path: match[1] as string, line: index + 1, cells: (match[2] as string).split('|').map((cell) => cell.trim()) });
  });
  return rows;
}

/** A topology holding one of everything a default applies to, each field left out. */
const BASE = {
  version: 1,
  name: 'defaults',
  hosts: [
    {
      name: 'h0',
      iommus: [{ name: 'smmu0', kind: 'smmuv3' }],
      manager: {},
      owners: [{ name: 'vm0', frontend: 'vfio' }],
      spaces: [{ name: 'gpa', owner: 'vm0', handler: {} }],
      devices: [{ name: 'nic0', iommu: 'smmu0', sid: 1, owner: 'vm0', pasids: 4, pri: { credits: 8 }, attach: [{ space: 'gpa' }, { space: 'gpa', pasid: 1 }] }],
      workloads: [{ device: 'nic0', pages: 16, rate: '1M/s', count: 10 }],
    },
  ],
  links: {},
  settings: { batch: {} },
  chaos: [{ match: '>', drop: 0.5 }],
};

/** The steps of `path` into a topology object, every `[]` meaning the first element. */
function stepsOf(path: string): (string | number)[] {
  return path.split('.').flatMap((step) => (step.endsWith('[]') ? [step.slice(0, -2), 0] : [step]));
}

/** The object holding the field at `path` of `base`, and the field's name; null when a step is missing. */
function holderOf(base: unknown, path: string): { holder: Record<string | number, unknown>; field: string | number } | null {
  const steps = stepsOf(path);
  let node = base as Record<string | number, unknown> | undefined;
  for (const step of steps.slice(0, -1)) {
    node = node?.[step] as Record<string | number, unknown> | undefined;
    if (node === undefined || node === null || typeof node !== 'object') return null;
  }
  return node === undefined ? null : { holder: node, field: steps.at(-1) as string | number };
}

/** A copy of `base` with `value` at `path`. */
function withField(base: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(base);
  const found = holderOf(copy, path);
  if (found === null) throw new Error(`no place for ${path} in the base topology`);
  found.holder[found.field] = value;
  return copy;
}

function normalized(raw: unknown): unknown {
  const result = topologyFromObject(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.topology;
}

describe('docs/topology.md', () => {
  const schema = schemaPaths(topologyJsonSchema() as SchemaNode);
  const rows = documentedRows(DOC);
  const documented = new Set(rows.map((row) => row.path));

  it('documents every field of the schema', () => {
    expect([...schema].filter((path) => !documented.has(path))).toEqual([]);
  });

  it('documents no field the schema does not have', () => {
    expect(rows.filter((row) => !schema.has(row.path)).map((row) => `docs/topology.md:${row.line}: ${row.path}`)).toEqual([]);
  });

  it('documents each field once, with a unit, a default and a meaning', () => {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const row of rows) {
      if (seen.has(row.path)) problems.push(`docs/topology.md:${row.line}: ${row.path} again (first at line ${seen.get(row.path)})`);
      seen.set(row.path, row.line);
      if (row.cells.length !== 3 || row.cells.some((cell) => cell === '')) problems.push(`docs/topology.md:${row.line}: ${row.path} needs unit | default | meaning`);
    }
    expect(problems).toEqual([]);
  });

  it('gives the defaults the loader applies', () => {
    const base = normalized(BASE);
    const checked: string[] = [];
    const problems: string[] = [];
    for (const row of rows) {
      // A default written as one value in backticks (`256`, `"1us"`, `map`) is checked; prose ("none", "the owner's") is not.
      const literal = /^`([^`]+)`$/.exec(row.cells[1] ?? '');
      if (literal === null || row.path.startsWith('<') || row.path.startsWith('timeline') || row.path.startsWith('fleet')) continue;
      const found = holderOf(BASE, row.path);
      // A field the base topology writes itself is not left out there: its default cannot be compared.
      if (found !== null && found.holder[found.field] !== undefined) continue;
      const value: unknown = parse(literal[1] as string);
      let withDefault: unknown;
      try {
        withDefault = normalized(withField(BASE, row.path, value));
      } catch (error) {
        problems.push(`docs/topology.md:${row.line}: ${row.path} = ${literal[1]} does not load: ${String(error)}`);
        continue;
      }
      checked.push(row.path);
      if (JSON.stringify(withDefault) !== JSON.stringify(base)) problems.push(`docs/topology.md:${row.line}: ${row.path} default ${literal[1]} is not what the loader applies`);
    }
    expect(problems).toEqual([]);
    expect(checked).toEqual(expect.arrayContaining(['hosts[].iommus[].priQueue', 'settings.deviceTimeout', 'settings.translationTimeout', 'settings.translationRetries']));
  });
});
