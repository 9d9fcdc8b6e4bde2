import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

const TESTS = ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'];

/**
 * The test files that take most of the suite's time, each with its share of
 * the whole suite's (timed file by file with vitest's JSON reporter). They
 * are the `slow` project: `npm run test:all` (what CI runs) runs them with
 * the rest; `npm test` runs only the `fast` project, every other file.
 */
export const SLOW_TESTS = [
  // Queueing theory within 3%: hundreds of thousands of faults per point (two thirds of the suite's time).
  'test/queueing/md1.test.ts',
  'test/queueing/mm1.test.ts',
  'test/queueing/mm1-saturated.test.ts',
  // Every example run twice and compared byte for byte (a tenth).
  'test/determinism.test.ts',
  // Chaos campaigns of many seeds each (4%).
  'test/chaos/campaign.test.ts',
  // Distributed runs with five service processes each, on NATS servers of their own (6% together).
  'test/nats/distributed.test.ts',
  'test/nats/node-failure.test.ts',
  'test/explain/live-metrics-distributed.test.ts',
  // Credentials and TLS: five nats-servers and seven runs of their own (about 20 s).
  'test/nats/auth.test.ts',
  // One run per serve process: refusals and a run of their own (about 8 s).
  'test/nats/one-run.test.ts',
  // The NATS services protocol: a serve process and a run of its own (about 7 s).
  'test/nats/discovery.test.ts',
  // Chaos on the wire: three spawned runs and a campaign of two seeds (about 75 s).
  'test/nats/chaos-wire.test.ts',
];

// Tests run against the TypeScript sources of every workspace package, so that
// `npm test` needs no build step and a failing line points at the source.
export default defineConfig({
  resolve: {
    alias: {
      '@ioasim/protocol': source('./packages/protocol/src/index.ts'),
      '@ioasim/model': source('./packages/model/src/index.ts'),
      '@ioasim/bus/nats': source('./packages/bus/src/nats.ts'),
      '@ioasim/bus': source('./packages/bus/src/index.ts'),
      '@ioasim/topology': source('./packages/topology/src/index.ts'),
      // The entries of @ioasim/sim before the package itself: an alias also takes every path under its name.
      ...Object.fromEntries(
        ['topology', 'version', 'distributed', 'chaos', 'sweep', 'report-html'].map((entry) => [`@ioasim/sim/${entry}`, source(`./packages/sim/src/entries/${entry}.ts`)]),
      ),
      '@ioasim/sim': source('./packages/sim/src/index.ts'),
      '@ioasim/cli': source('./packages/cli/src/index.ts'),
      '@ioasim/service-device': source('./services/device/src/index.ts'),
      '@ioasim/service-iommu': source('./services/iommu/src/index.ts'),
      '@ioasim/service-ioasid-manager': source('./services/ioasid-manager/src/index.ts'),
      '@ioasim/service-frontend': source('./services/frontend/src/index.ts'),
    },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'fast', include: TESTS, exclude: [...configDefaults.exclude, ...SLOW_TESTS] } },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS } },
    ],
  },
});
