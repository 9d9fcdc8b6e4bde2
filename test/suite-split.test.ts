/**
 * Goal: `npm test` is the fast part of the suite and `npm run test:all`, what
 * CI runs, is all of it. The slow files are named one by one in
 * vitest.config.ts; a name that no longer matches a file would quietly move
 * nothing out of the fast run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SLOW_TESTS } from '../vitest.config.js';

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

describe('the test suite split', () => {
  it('names only slow files that exist', () => {
    expect(SLOW_TESTS.filter((file) => !existsSync(root(file)))).toEqual([]);
  });

  it('runs the fast project with npm test, every test with npm run test:all, and CI runs every test', () => {
    const scripts = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect([scripts['test'], scripts['test:all']]).toEqual(['vitest run --project fast', 'vitest run']);
    expect(readFileSync(root('.ci/run'), 'utf8')).toMatch(/^npm run test:all -- --reporter=default --reporter=json /m);
  });
});
