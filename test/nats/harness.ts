/**
 * The NATS test harness: real `nats-server` processes on free loopback
 * ports (one node or a routed cluster) and real child processes, every one
 * of them stopped after the suite, also when a test fails.
 *
 * When nats-server is missing, NATS suites are skipped with a loud message,
 * except under CI=true or IOASIM_REQUIRE_NATS=1, where they run and fail.
 */
import { ProcessGroup, natsServerFind, natsServersStart, type NatsServers } from '@ioasim/sim/distributed';

export const NATS_BINARY = natsServerFind();

export function natsRequired(): boolean {
  return process.env['CI'] === 'true' || process.env['IOASIM_REQUIRE_NATS'] === '1';
}

/** True when the suite named `suite` must be skipped (nats-server missing and not required). */
export function natsSkipped(suite: string): boolean {
  if (NATS_BINARY !== null || natsRequired()) return false;
  console.warn(
    `\n*** SKIPPED "${suite}": nats-server not found (install it: apt-get install nats-server, ` +
      `or set IOASIM_NATS_SERVER). Under CI=true or IOASIM_REQUIRE_NATS=1 this is a failure. ***\n`,
  );
  return true;
}

/** Starts `count` nats-server nodes (a routed cluster when more than one), each with `extra` flags; fails clearly when the binary is missing. */
export async function natsStart(count: number, extra: readonly string[] = []): Promise<NatsServers> {
  if (NATS_BINARY === null) {
    throw new Error('nats-server is required (CI=true or IOASIM_REQUIRE_NATS=1) but was not found');
  }
  return natsServersStart({ count, binary: NATS_BINARY, arguments: extra });
}

/** Stops what a suite started, whatever happened: servers and process groups alike. */
export async function stopAll(servers: NatsServers | null, groups: readonly ProcessGroup[]): Promise<void> {
  await Promise.allSettled(groups.map((group) => group.stop()));
  await servers?.stop();
}

export { ProcessGroup };
