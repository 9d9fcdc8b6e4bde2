#!/usr/bin/env node
// The layout check of CI: every package imports only what DESIGN.md lets it
// import, no file imports form a cycle, and model and service code never
// reads the wall clock, a timer or Math.random (determinism).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const services = ['service-device', 'service-iommu', 'service-ioasid-manager', 'service-frontend'];
const allowed = {
  protocol: [],
  model: ['protocol'],
  bus: ['protocol'],
  topology: ['protocol'],
  ...Object.fromEntries(services.map((service) => [service, ['protocol', 'model', 'bus']])),
  sim: ['protocol', 'model', 'bus', 'topology', ...services],
  cli: ['sim'],
};
const folders = {
  protocol: 'packages/protocol', model: 'packages/model', bus: 'packages/bus', topology: 'packages/topology',
  sim: 'packages/sim', cli: 'packages/cli',
  'service-device': 'services/device', 'service-iommu': 'services/iommu',
  'service-ioasid-manager': 'services/ioasid-manager', 'service-frontend': 'services/frontend',
};
const deterministic = new Set(['model', ...services]);
const forbidden = /\b(Date\.now|Math\.random|performance\.now|setTimeout|setInterval|setImmediate)\s*\(/;

function sources(folder) {
  const out = [];
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const problems = [];
const graph = new Map();

/** `@ioasim/sim` or one of its entries (`@ioasim/sim/chaos`): the package is what the rule allows or not. */
function packageImportCheck(file, name, target) {
  const imported = target.slice('@ioasim/'.length).split('/')[0];
  if (!allowed[name].includes(imported)) problems.push(`${relative(root, file)}: ${name} may not import ${target}`);
}
for (const [name, folder] of Object.entries(folders)) {
  for (const file of sources(join(root, folder, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const edges = [];
    for (const match of text.matchAll(/(import|export)(\s+type)?[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const typeOnly = match[2] !== undefined;
      const target = match[3];
      if (target.startsWith('@ioasim/')) {
        packageImportCheck(file, name, target);
      } else if (target.startsWith('.') && !typeOnly) {
        // Type-only imports vanish at run time; only value imports can form a cycle that bites.
        edges.push(resolve(dirname(file), target.replace(/\.js$/, '.ts')));
      }
    }
    // A command loads its module when it runs (`await import('@ioasim/sim/chaos')`): the same rule holds.
    for (const match of text.matchAll(/\bimport\(\s*['"](@ioasim\/[^'"]+)['"]\s*\)/g)) packageImportCheck(file, name, match[1]);
    graph.set(file, edges);
    if (deterministic.has(name)) {
      text.split('\n').forEach((line, index) => {
        if (forbidden.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//')) {
          problems.push(`${relative(root, file)}:${index + 1}: model and service code use the injected clock and seeded random source`);
        }
      });
    }
  }
}

const state = new Map();
function visit(file, stack) {
  if (state.get(file) === 'done') return;
  if (state.get(file) === 'open') {
    problems.push(`import cycle: ${[...stack.slice(stack.indexOf(file)), file].map((f) => relative(root, f)).join(' -> ')}`);
    return;
  }
  state.set(file, 'open');
  for (const next of graph.get(file) ?? []) visit(next, [...stack, file]);
  state.set(file, 'done');
}
for (const file of graph.keys()) visit(file, []);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`check-imports: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-imports: ${graph.size} files, dependency direction and determinism rules hold`);
