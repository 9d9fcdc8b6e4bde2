/**
 * Goal: docs/semantics.md names, for each scenario R1..R20, the test files
 * that check it, and no others. Its scenario table is compared with the
 * titles of the tests: a test whose title opens with `R5 ` checks R5, and
 * the row of R5 must link its file; a linked file must hold a test of that
 * scenario.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = 'docs/semantics.md';
const SCENARIOS = Array.from({ length: 20 }, (_, index) => `R${index + 1}`);

function testFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (entry === 'node_modules' || entry === 'dist') return [];
    if (statSync(path).isDirectory()) return testFiles(path);
    return path.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

/** Scenario id -> the test files whose test titles open with it. */
function scenarioTests(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const files = ['test', 'packages', 'services'].flatMap((folder) => testFiles(join(ROOT, folder)));
  for (const file of files) {
    for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/\b(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*['"`](R\d+) /g)) {
      const id = match[1] as string;
      if (!found.has(id)) found.set(id, new Set());
      found.get(id)?.add(file);
    }
  }
  return found;
}

/** Scenario id -> the files its row of the document links. */
function documentedTests(): Map<string, Set<string>> {
  const rows = new Map<string, Set<string>>();
  for (const line of readFileSync(join(ROOT, DOC), 'utf8').split('\n')) {
    const row = /^\|\s*(R\d+)\s*\|/.exec(line);
    if (row === null) continue;
    const links = [...line.matchAll(/\]\(([^)#]+\.test\.ts)\)/g)].map((match) => relative(ROOT, resolve(dirname(join(ROOT, DOC)), match[1] as string)));
    rows.set(row[1] as string, new Set(links));
  }
  return rows;
}

describe('docs/semantics.md', () => {
  const tests = scenarioTests();
  const documented = documentedTests();

  it('has one row for each scenario R1 to R20', () => {
    expect([...documented.keys()]).toEqual(SCENARIOS);
  });

  it('links, for each scenario, exactly the test files that check it', () => {
    const problems: string[] = [];
    for (const id of SCENARIOS) {
      const linked = documented.get(id) ?? new Set<string>();
      const checking = tests.get(id) ?? new Set<string>();
      if (checking.size === 0) problems.push(`${id}: no test title opens with "${id} "`);
      for (const file of checking) if (!linked.has(file)) problems.push(`${id}: ${DOC} does not link ${file}, which tests it`);
      for (const file of linked) if (!checking.has(file)) problems.push(`${id}: ${DOC} links ${file}, which holds no test of ${id}`);
    }
    expect(problems).toEqual([]);
  });
});
