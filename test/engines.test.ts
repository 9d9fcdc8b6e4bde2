/**
 * Goal (issue 20): `npm install` on the oldest Node the project says it
 * supports (package.json `engines`, Node 20) installs no package that says
 * it needs a newer one. @nats-io/nuid 3.0.0, pulled in by
 * @nats-io/transport-node 3.4, declares Node >= 22; the project overrides it
 * with 2.0.3, the same API for Node >= 18.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

type Version = readonly [number, number, number];

/** `20`, `20.x`, `20.19.0` as the lowest version they name. */
function versionParse(text: string): Version {
  const parts = text.split('.').map((part) => (part === 'x' || part === '*' ? 0 : Number(part)));
  if (parts.some((part) => !Number.isInteger(part))) throw new Error(`not a version: ${text}`);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` satisfies an npm engines range of the forms packages use: `||`, `>=`, `>`, `<=`, `<`, `^`, `~`, exact. */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/([<>=^~]+)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => {
        const match = /^(>=|>|<=|<|\^|~|=)?(.+)$/.exec(comparator);
        if (match === null) throw new Error(`not a comparator: ${comparator}`);
        const bound = versionParse(match[2] as string);
        const order = compare(version, bound);
        switch (match[1]) {
          case '>=':
            return order >= 0;
          case '>':
            return order > 0;
          case '<=':
            return order <= 0;
          case '<':
            return order < 0;
          case '^':
            return order >= 0 && version[0] === bound[0];
          case '~':
            return order >= 0 && version[0] === bound[0] && version[1] === bound[1];
          default:
            return order === 0;
        }
      }),
  );
}

type LockPackage = { readonly dev?: boolean; readonly optional?: boolean; readonly engines?: { readonly node?: string } };

describe('engines', () => {
  const project = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { engines: { node: string } };
  const floor = versionParse(/^>=\s*(\S+)$/.exec(project.engines.node)?.[1] ?? '');

  it('reads the ranges packages declare', () => {
    expect(satisfies([20, 0, 0], '>= 18.x')).toBe(true);
    expect(satisfies([20, 0, 0], '>= 22.x')).toBe(false);
    expect(satisfies([20, 0, 0], '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies([20, 0, 0], '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies([23, 0, 0], '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(false);
  });

  it('installs no package ioasim runs with that needs a newer Node than its floor', () => {
    expect(floor).toEqual([20, 0, 0]);
    const lock = JSON.parse(readFileSync(root('package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
    const tooNew = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true && entry.engines?.node !== undefined)
      .filter(([, entry]) => !satisfies(floor, entry.engines?.node as string))
      .map(([path, entry]) => `${path} needs node ${entry.engines?.node}`);
    expect(tooNew).toEqual([]);
  });
});
