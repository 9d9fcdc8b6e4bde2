/**
 * The NATS test harness: real `nats-server` processes on free loopback
 * ports (one node or a routed cluster) and real child processes, every one
 * of them stopped after the suite, also when a test fails.
 *
 * When nats-server is missing, NATS suites are skipped with a loud message,
 * except under CI=true or IOASIM_REQUIRE_NATS=1, where they run and fail.
 */
import { fileURLToPath } from 'node:url';
import type { Report } from '@ioasim/sim';
import { ProcessGroup, natsServerFind, natsServersStart, type NatsServers } from '@ioasim/sim/distributed';

/** The `ioasim` executable, as a child process runs it. */
export const IOASIM_BIN = fileURLToPath(new URL('../../packages/cli/bin/ioasim.js', import.meta.url));
/** The longest a command a test starts may take before the test fails, naming it and its output. */
const COMMAND_TIMEOUT_MS = 45_000;

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

/** What a command run to its end gave: its exit code, output, and its JSON report when stdout holds one. */
export type CommandOutcome = { code: number | null; stdout: string; stderr: string; report: Report | null };

/** Runs `ioasim args` as a child process of `group` to its end (at most `timeoutMs`, default COMMAND_TIMEOUT_MS). */
export async function ioasimRun(
  group: ProcessGroup,
  args: readonly string[],
  environment?: Record<string, string>,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<CommandOutcome> {
  const child = group.start(`ioasim ${args[0] ?? ''}`, process.execPath, [IOASIM_BIN, ...args], undefined, environment);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') throw new Error(`ioasim ${args.join(' ')} did not end within ${timeoutMs} ms:\n${child.output.join('\n')}`);
  let report: Report | null = null;
  try {
    report = JSON.parse(child.stdout) as Report;
  } catch {
    report = null;
  }
  return { code: child.exitCode ?? null, stdout: child.stdout, stderr: child.stderr, report };
}

export { ProcessGroup };
