/**
 * Child processes a distributed run starts and must stop: nats-server nodes
 * and service processes. A group remembers every child it started and stops
 * them all: SIGTERM, then SIGKILL after a grace period. A child's recent
 * output is kept (bounded) so that a failure can show why.
 *
 * Invariants: `stop()` resolves only once every child has exited; it is
 * safe to call more than once; the group is stopped on process exit too.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Lines of output kept per child. */
const OUTPUT_LINES_KEPT = 200;
/** Characters of a child's stderr kept whole (its first ones: a failing command says why at once). */
const STDERR_KEPT_MAX = 1 << 20;
/** How long a child has to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 5_000;

export type Child = {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last lines the child wrote (stdout and stderr). */
  readonly output: string[];
  /** Everything the child wrote to stdout (a report, for instance). */
  stdout: string;
  /** What the child wrote to stderr (its messages and log), up to its first STDERR_KEPT_MAX characters. */
  stderr: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;
};

const groups = new Set<ProcessGroup>();
let exitHookInstalled = false;

function exitHookInstall(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of groups) group.killNow();
  });
}

export class ProcessGroup {
  readonly children: Child[] = [];

  constructor() {
    groups.add(this);
    exitHookInstall();
  }

  /** Starts `command args`; `onLine` sees each line of its output; `environment` replaces this process's (default: inherited). */
  start(name: string, command: string, args: readonly string[], onLine?: (line: string) => void, environment?: Readonly<Record<string, string>>): Child {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(environment === undefined ? {} : { env: { ...environment } }) });
    const output: string[] = [];
    const record: Child = {
      name,
      process: child,
      output,
      stdout: '',
      stderr: '',
      exitCode: undefined,
      exited: new Promise((resolve) => {
        child.once('exit', (code) => {
          record.exitCode = code;
          resolve(code);
        });
        child.once('error', (error) => {
          output.push(`${name}: ${error.message}`);
          record.exitCode = null;
          resolve(null);
        });
      }),
    };
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        output.push(line);
        if (output.length > OUTPUT_LINES_KEPT) output.shift();
        onLine?.(line);
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      record.stdout += chunk.toString('utf8');
      collect(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (record.stderr.length < STDERR_KEPT_MAX) record.stderr += chunk.toString('utf8').slice(0, STDERR_KEPT_MAX - record.stderr.length);
      collect(chunk);
    });
    this.children.push(record);
    return record;
  }

  /** Stops every child: SIGTERM, then SIGKILL after `graceMs`; resolves when all have exited. */
  async stop(graceMs: number = STOP_GRACE_MS): Promise<void> {
    await Promise.all(this.children.map((child) => childStop(child, graceMs)));
    groups.delete(this);
  }

  /** SIGKILL to every child still running (for process exit, where nothing can be awaited). */
  killNow(): void {
    for (const child of this.children) {
      if (child.exitCode === undefined) child.process.kill('SIGKILL');
    }
  }
}

async function childStop(child: Child, graceMs: number): Promise<void> {
  if (child.exitCode !== undefined) return;
  child.process.kill('SIGTERM');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (child.exitCode === undefined) child.process.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  await child.exited;
}
