import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources of every workspace package, so that
// `npm test` needs no build step and a failing line points at the source.
export default defineConfig({
  resolve: {
    alias: {
      '@ioasim/protocol': source('./packages/protocol/src/index.ts'),
      '@ioasim/model': source('./packages/model/src/index.ts'),
      '@ioasim/bus': source('./packages/bus/src/index.ts'),
      '@ioasim/topology': source('./packages/topology/src/index.ts'),
      '@ioasim/sim': source('./packages/sim/src/index.ts'),
      '@ioasim/cli': source('./packages/cli/src/index.ts'),
      '@ioasim/service-device': source('./services/device/src/index.ts'),
      '@ioasim/service-iommu': source('./services/iommu/src/index.ts'),
      '@ioasim/service-ioasid-manager': source('./services/ioasid-manager/src/index.ts'),
      '@ioasim/service-vfio': source('./services/vfio/src/index.ts'),
      '@ioasim/service-vdpa': source('./services/vdpa/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
