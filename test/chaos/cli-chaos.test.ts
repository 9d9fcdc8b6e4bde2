/**
 * Goal (issue 7): a user runs a chaos campaign, gets the failing seeds and
 * an exit code CI can gate on, replays a failing seed to the same
 * violations, and shrinks its chaos schedule to a smaller one that still
 * fails; bad input exits 2 with a clear message.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosReportParse } from '@ioasim/sim/chaos';
import { CHAOS_EXAMPLE, ioasim } from './chaos-kit.js';

const directory = mkdtempSync(join(tmpdir(), 'ioasim-chaos-'));
/** The chaos example with its workloads cut to 60 accesses each, so that a shrink runs in seconds. */
const small = join(directory, 'chaos-small.yaml');
writeFileSync(small, readFileSync(CHAOS_EXAMPLE, 'utf8').replace(/count: \d+/g, 'count: 60'));

describe('ioasim chaos, replay, shrink', () => {
  it('CH8 passes every seed with at-least-once (exit 0) and lists the failing seeds with at-most-once (exit 3)', async () => {
    const passing = await ioasim('chaos', small, '--seeds', '1..4', '--jobs', '1');
    expect(passing.code).toBe(0);
    expect(passing.out).toMatch(/4 seeds, 6 rule\(s\), at-least-once: 4 passed, 0 safety failure\(s\), 0 liveness failure\(s\)/);
    const failing = await ioasim('chaos', small, '--seeds', '1..4', '--jobs', '1', '--delivery', 'at-most-once');
    expect(failing.code).toBe(3);
    expect(failing.out).toMatch(/^seed \d+: liveness — \d+ stuck, \d+ abandoned — first: h0\/(nic0|vnet0) group \d+/m);
    const swarm = await ioasim('chaos', small, '--seeds', '1..4', '--jobs', '1', '--swarm', '--json');
    // One JSON line per seed as it finishes, then the report.
    const lines = swarm.out.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.slice(0, 4).map((line) => line['seed'])).toEqual([1, 2, 3, 4]);
    const drawn = lines[4] as { swarm: boolean; summary: { seeds: number } };
    expect(drawn.swarm).toBe(true);
    expect(drawn.summary.seeds).toBe(4);
    expect(lines).toHaveLength(5);
  });

  it('CH9 replays a failing seed from its report to the same violations, and shrinks its schedule to a smaller one that still fails', async () => {
    const report = join(directory, 'campaign.json');
    const campaign = await ioasim('chaos', small, '--seeds', '4', '--jobs', '1', '--delivery', 'at-most-once', '--chaos', '{ match: "*.mgr.ctl", delay: "1us" }', '--report', report);
    expect(campaign.code).toBe(3);
    expect(campaign.out).toContain(`\nwrote the campaign report to ${report}\nreplay the first: ioasim replay ${report}`);
    const parsed = chaosReportParse(readFileSync(report, 'utf8'));
    expect(parsed.ok && parsed.report.failures[0]?.schedule.rules.length).toBe(7);
    const trace = join(directory, 'replay.jsonl');
    const replay = await ioasim('replay', report, '--trace', trace);
    expect(replay.code).toBe(3);
    expect(replay.out).toMatch(/reproduced: the same violations as the report/);
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string });
    expect(replay.out).toContain(`trace: ${events.length} events in ${trace}`);
    const abandoned = Number(/(\d+) abandoned/.exec(replay.out)?.[1]);
    expect(events.filter((event) => event.kind === 'groupAbandoned').length).toBe(abandoned);
    expect(events.some((event) => event.kind === 'chaos')).toBe(true);
    const shrunkFile = join(directory, 'shrunk.json');
    const shrunk = await ioasim('shrink', report, '--out', shrunkFile);
    expect(shrunk.code).toBe(3);
    expect(shrunk.out).toMatch(/7 -> [0-6] rule\(s\)/);
    // Each step names a rule by its place among the 7 it started from, so no rule is left out twice.
    const leftOut = [...shrunk.out.matchAll(/kept: leave out rule (\d+)/g)].map((match) => Number(match[1]));
    expect(leftOut.length).toBeGreaterThan(1);
    expect(new Set(leftOut).size).toBe(leftOut.length);
    expect(leftOut.every((rule) => rule < 7)).toBe(true);
    expect(shrunk.out).toContain(`7 -> ${7 - leftOut.length} rule(s)`);
    const again = await ioasim('replay', shrunkFile);
    expect(again.code).toBe(3);
    expect(again.out).toMatch(/reproduced/);
  }, 120_000);

  it('CH10 refuses bad input with exit 2: a rule that does nothing, a crash it cannot do, seeds backwards, a file that is no report', async () => {
    const noAction = await ioasim('chaos', small, '--seeds', '1', '--chaos', '{ match: ">" }');
    expect(noAction.code).toBe(2);
    expect(noAction.error).toMatch(/--chaos '\{ match: ">" \}': chaos\[6\]: a message rule without an action/);
    const crash = await ioasim('chaos', small, '--seeds', '1', '--chaos', '{ crash: device, host: h0, at: "1ms", restartAfter: "1ms" }');
    expect(crash.code).toBe(2);
    expect(crash.error).toMatch(/a crash of 'device' is not supported; crashable: ioasid-manager, vfio, vdpa/);
    expect(crash.error).toMatch(/^--chaos '\{ crash: device, host: h0, at: "1ms", restartAfter: "1ms" \}': chaos\[6\]/);
    const seeds = await ioasim('chaos', small, '--seeds', '5..1');
    expect(seeds.code).toBe(2);
    const repeated = await ioasim('chaos', small, '--seeds', '3,1,3');
    expect(repeated.code).toBe(2);
    expect(repeated.error).toContain('--seeds lists seed 3 more than once');
    const notReport = await ioasim('replay', small);
    expect(notReport.code).toBe(2);
    expect(notReport.error).toMatch(/not JSON/);
  });

  it('says which chaos rules did nothing: a match that takes no message', async () => {
    const idle = join(directory, 'chaos-idle.yaml');
    writeFileSync(
      idle,
      `${readFileSync(small, 'utf8')}  - { match: "*.nosuch.>", drop: 0.5 }\n  - { match: "*.dev.>", delay: "1ns" }\n`,
    );
    const json = JSON.parse((await ioasim('run', idle, '--json')).out) as { chaos: { rules: number; idleRules: number[] } };
    expect(json.chaos.rules).toBe(8);
    expect(json.chaos.idleRules).toEqual([6]);
    const summary = await ioasim('run', idle);
    expect(summary.out).toContain('chaos rule(s) chaos[6] did nothing');
    const campaign = await ioasim('chaos', small, '--seeds', '1..2', '--jobs', '1', '--chaos', '{ match: "h0.nosuch.>", drop: 0.1 }');
    expect(campaign.code).toBe(0);
    expect(campaign.error).toContain('ioasim: chaos[6] did nothing in any seed: {"kind":"message","match":"h0.nosuch.>"');
    const busy = await ioasim('chaos', small, '--seeds', '1..2', '--jobs', '1');
    expect(busy.error).not.toContain('did nothing');
  });
});

