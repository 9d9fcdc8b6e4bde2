/**
 * Goal: the ioasim command behaves for a newcomer: help that tells the
 * truth, a run that reports, bad input that exits 2 and names the file, line
 * and column, no stack trace for a user's mistake.
 */
import { NODE_FLAGS, cliMain, styleFor, summaryFormat, type Io } from '@ioasim/cli';
import { run, topologyLoad, type Report } from '@ioasim/sim';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

type Captured = { code: number; out: string; error: string };

async function ioasim(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const error: string[] = [];
  const io: Io = { out: (text) => out.push(text), error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, out: out.join('\n'), error: error.join('\n') };
}

const example = new URL('../examples/single-host.yaml', import.meta.url).pathname;
const broken = new URL('./fixtures/broken-reference.yaml', import.meta.url).pathname;

describe('ioasim --help', () => {
  it('lists every command and the exit codes', async () => {
    const result = await ioasim('--help');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/run <topology.yaml>/);
    expect(result.out).toMatch(/validate <topology.yaml>/);
    expect(result.out).toMatch(/Exit codes: 0 success, 1 an invariant was violated, 2 bad input/);
  });

  it('gives each command its own help', async () => {
    const result = await ioasim('run', '--help');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/--seed <n>/);
  });

  it('refuses an unknown command and an unknown option with exit 2', async () => {
    expect((await ioasim('frobnicate')).code).toBe(2);
    const option = await ioasim('run', example, '--sede', '3');
    expect(option.code).toBe(2);
    expect(option.error).toMatch(/--sede/);
    const seed = await ioasim('run', example, '--seed', 'three');
    expect(seed.code).toBe(2);
    expect(seed.error).toMatch(/--seed expects an integer, found "three"/);
  });

  it('suggests the option a misspelt one was meant to be, and points at the command\'s own help', async () => {
    const misspelt = await ioasim('run', example, '--sed', '3');
    expect(misspelt.code).toBe(2);
    expect(misspelt.error).toBe("ioasim: unknown option --sed (did you mean --seed?)\nRun 'ioasim run --help' for usage.");
    const help = await ioasim('help', 'run');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: ioasim run <topology.yaml>/);
  });

  it('takes a value that starts with a dash after a space, and judges it as the value it is', async () => {
    const negative = await ioasim('run', example, '--seed', '-1');
    expect(negative.code).toBe(2);
    expect(negative.error).toContain('--seed expects a whole number from 0 to 9007199254740991, found -1');
    const until = await ioasim('run', example, '--until', '-5ms');
    expect(until.code).toBe(2);
    expect(until.error).toContain('--until: bad duration "-5ms"');
    // The README's open-ended window: groups raised up to 1 ms.
    const path = join(mkdtempSync(join(tmpdir(), 'ioasim-window-')), 'p.json');
    const window = await ioasim('run', new URL('../examples/response-timeout.yaml', import.meta.url).pathname, '--perfetto', path, '--perfetto-window', '-1ms');
    expect(window.code).toBe(0);
  });
});

describe('ioasim validate', () => {
  it('accepts the example', async () => {
    const result = await ioasim('validate', example);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/valid — 1 host\(s\), 2 device\(s\), 5 space\(s\)/);
  });

  it('exits 2 on a broken file, naming path, line and column of every error', async () => {
    const result = await ioasim('validate', broken);
    expect(result.code).toBe(2);
    expect(result.error).toContain(
      `${broken}:16:25: hosts[0].devices[0].pri.credits: found 0; expected at least 1`,
    );
    expect(result.error).toContain(
      `${broken}:18:20: hosts[0].devices[0].attach[0].space: unknown space "gap" on host h0; expected one of: gpa (did you mean "gpa"?)`,
    );
    expect(result.error).toMatch(/2 error\(s\)/);
  });

  it('says first that a binary file is not YAML text, and quotes only a short excerpt of it', async () => {
    const binary = join(mkdtempSync(join(tmpdir(), 'ioasim-binary-')), 'ls');
    writeFileSync(binary, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.from(': <%s>\n\u0000GNU coreutils\u0000'.repeat(5000))]));
    const result = await ioasim('validate', binary);
    expect(result.code).toBe(2);
    expect(result.error.split('\n')[0]).toMatch(new RegExp(`^${binary}:1:1: "${binary}" is not YAML text: a binary file`));
    expect(result.error.length).toBeLessThan(600);
  });

  it('refuses a fleet of a billion copies at its line and column, at once (exit 2)', async () => {
    const huge = join(mkdtempSync(join(tmpdir(), 'ioasim-fleet-')), 'huge.yaml');
    writeFileSync(huge, readFileSync(example, 'utf8').replace(/\nlinks:/, '\nfleet:\n  - { template: h0, count: 1000000000 }\n\nlinks:'));
    const started = performance.now();
    const result = await ioasim('validate', huge);
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.code).toBe(2);
    expect(result.error.split('\n')).toEqual([`${huge}:71:28: fleet[0].count: found 1000000000; expected at most 1000000`, `${huge}: 1 error(s)`]);
  });

  it('exits 2 on a missing file', async () => {
    const result = await ioasim('validate', '/nonexistent/topology.yaml');
    expect(result.code).toBe(2);
    expect(result.error).toMatch(/nonexistent\/topology.yaml/);
  });
});

describe('ioasim run', () => {
  it('prints a JSON report whose accounting balances, every space delivered, no violation', async () => {
    const result = await ioasim('run', example, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    const faults = report.faults;
    expect(faults.raised).toBeGreaterThan(0);
    expect(faults.raised).toBe(faults.responded + faults.autoResponded + faults.abandoned);
    for (const space of report.perIoasid) expect(space.delivered, space.name).toBeGreaterThan(0);
    for (const invariant of report.invariants) expect(invariant.violations, invariant.name).toBe(0);
    for (const field of ['seed', 'transport', 'topology', 'simulatedNs', 'wallMs', 'faults', 'latencyNs', 'perIoasid', 'invariants']) {
      expect(report).toHaveProperty(field);
    }
    for (const field of ['raised', 'delivered', 'responded', 'success', 'invalid', 'failure', 'autoResponded', 'abandoned', 'dropped']) {
      expect(faults).toHaveProperty(field);
    }
  });

  it('prints a readable summary and writes --report', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ioasim-')), 'report.json');
    const result = await ioasim('run', example, '--seed', '3', '--report', file);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/fault groups/);
    expect(result.out).toMatch(/1 accounting ok/);
    expect(JSON.parse(readFileSync(file, 'utf8')).seed).toBe(3);
    expect(result.out.split('\n').at(-1)).toBe(`wrote the JSON report to ${file}`);
  });

  it('says on standard error what --report wrote when standard output carries --json', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ioasim-')), 'report.html');
    const result = await ioasim('run', example, '--until', '1ms', '--json', '--report', file);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.out) as Report).seed).toBe(1);
    expect(result.error).toBe(`ioasim: wrote the HTML report to ${file}`);
  });

  it('says what chaos did in a run of a chaos topology, in the JSON report and the summary', async () => {
    const chaosExample = new URL('../examples/chaos.yaml', import.meta.url).pathname;
    const json = JSON.parse((await ioasim('run', chaosExample, '--json')).out) as { chaos: { rules: number; delivery: string; actions: Record<string, number> } };
    expect(json.chaos.rules).toBe(6);
    expect(json.chaos.delivery).toBe('at-least-once');
    expect(json.chaos.actions['drop']).toBeGreaterThan(0);
    expect(json.chaos.actions['crash']).toBe(1);
    expect(json.chaos.actions['restart']).toBe(1);
    const summary = await ioasim('run', chaosExample);
    expect(summary.out).toMatch(new RegExp(`^chaos: 6 rule\\(s\\), at-least-once: drop ${json.chaos.actions['drop']?.toLocaleString('en-US')}, `, 'm'));
    const calm = JSON.parse((await ioasim('run', new URL('../examples/response-timeout.yaml', import.meta.url).pathname, '--json')).out) as typeof json;
    expect(calm.chaos.rules).toBe(0);
    expect(Object.values(calm.chaos.actions).every((count) => count === 0)).toBe(true);
  });

  it('ends a run whose work is done before --until at its last event, not at --until', async () => {
    const short = new URL('../examples/response-timeout.yaml', import.meta.url).pathname;
    const whole = JSON.parse((await ioasim('run', short, '--json')).out) as { simulatedNs: number; untilNs: number | null };
    const capped = JSON.parse((await ioasim('run', short, '--json', '--until', '1s')).out) as { simulatedNs: number; untilNs: number | null };
    expect(whole.simulatedNs).toBeLessThan(10_000_000);
    expect(capped.simulatedNs).toBe(whole.simulatedNs);
    expect([whole.untilNs, capped.untilNs]).toEqual([null, 1_000_000_000]);
  });

  it('counts the groups in flight at a requested cut-off apart, not as stuck or a violation, and exits 0', async () => {
    const cut = await ioasim('run', example, '--until', '5ms');
    expect(cut.code).toBe(0);
    expect(cut.out).toMatch(/^  1 accounting ok$/m);
    const report = JSON.parse((await ioasim('run', example, '--until', '5ms', '--json')).out) as Report;
    const faults = report.faults;
    expect(faults.inFlightAtCut).toBeGreaterThan(0);
    expect(faults.stuck).toBe(0);
    expect(faults.responded + faults.autoResponded + faults.abandoned + faults.inFlightAtCut).toBe(faults.raised);
    expect(cut.out).toContain(`in flight at the cut-off (--until 5.000ms): ${faults.inFlightAtCut} group(s), raised and not yet answered`);
    // A violation in a cut run is reproduced with the cut.
    const violated = { ...report, invariants: report.invariants.map((invariant) => (invariant.id === 2 ? { ...invariant, violations: 1 } : invariant)) };
    expect(summaryFormat(violated, styleFor(false))).toMatch(/^reproduce with: --seed 1 --until 5000000ns$/m);
    const whole = JSON.parse((await ioasim('run', new URL('../examples/response-timeout.yaml', import.meta.url).pathname, '--json')).out) as Report;
    expect(whole.faults.inFlightAtCut).toBe(0);
  });

  it('calls a distributed run\'s span wall-clock time on NATS, not simulated time', () => {
    const loaded = topologyLoad(example);
    if (!loaded.ok) throw new Error(`${example}: ${loaded.errors.length} error(s)`);
    const report = run(loaded.topology, { untilNs: 2_000_000 });
    expect(summaryFormat(report, styleFor(false)).split('\n')[1]).toMatch(/^simulated 2\.000ms in \d+ ms wall/);
    const distributed = {
      ...report,
      transport: 'nats' as const,
      distributed: {
        time: 'skip' as const,
        latencyClock: 'wall' as const,
        modeledRoundTripNs: 40_000,
        processes: 5,
        faultsPerSecond: 1000,
        lateTraceEvents: 0,
        clockOffsets: [],
        bus: { published: 1, delivered: 1, dropped: 0, slowConsumers: 0, handlerErrors: 0 },
      },
    };
    const second = summaryFormat(distributed, styleFor(false)).split('\n')[1];
    expect(second).toMatch(/^ran on NATS for 2\.000ms in \d+ ms wall/);
    expect(second).not.toContain('simulated');
  });

  it('exits 2 on a broken topology without running it', async () => {
    const result = await ioasim('run', broken);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
  });
});

describe('the ioasim executable', () => {
  const bin = new URL('../packages/cli/bin/ioasim.js', import.meta.url).pathname;

  it('runs by its #! line, as npx and node_modules/.bin run it', () => {
    const version = JSON.parse(readFileSync(new URL('../packages/cli/package.json', import.meta.url), 'utf8')).version;
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('stops quietly with the run\'s exit code when its reader closes the pipe early (| head)', () => {
    const fleet = new URL('../examples/fleet-1000.yaml', import.meta.url).pathname;
    // The JSON report of a thousand hosts is megabytes: the pipe is closed long before it is written.
    const result = spawnSync('bash', ['-c', `"${bin}" run "${fleet}" --json | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stdout.trim()).toBe('exit 0');
  });

  it('gives node the flags that the processes it starts get (NODE_FLAGS)', () => {
    const shebang = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
    expect(shebang).toMatch(/^#!\/usr\/bin\/env -S node /);
    expect(shebang.split(/\s+/).slice(3)).toEqual([...NODE_FLAGS]);
  });

  it('stops a fleet too large for node\'s heap with what to do, not a V8 crash', () => {
    const fleet = readFileSync(new URL('../bench/scale-host.yaml', import.meta.url), 'utf8').replace(/template: h0, count: 1 /, 'template: h0, count: 5000 ');
    const path = join(mkdtempSync(join(tmpdir(), 'ioasim-heap-')), 'fleet.yaml');
    writeFileSync(path, fleet);
    // 50,000 busy devices need about 500 MiB; the limit here is 512 MiB of old generation, less the guard's headroom.
    // Hosts are made at their first arrival, so the guard stops the run as it builds them or as it runs.
    const result = spawnSync(process.execPath, [...NODE_FLAGS, '--max-old-space-size=512', bin, 'run', path], { encoding: 'utf8' });
    expect(result.stderr).not.toContain('FATAL ERROR');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ioasim: the run needs more heap than node's limit of 0\.5 GiB: .* (after building [\d,]+ of 5,000 hosts|at [\d,]+ ns of simulated time); give node more heap, e\.g\. NODE_OPTIONS=--max-old-space-size=\d+ /);
    expect(result.stdout).toBe('');
  });
});
