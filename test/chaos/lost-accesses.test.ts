/**
 * Goal (issue 20, item 1): at-most-once chaos that loses translation (ATS)
 * frames loses no DMA access without a word. The device re-sends a
 * translation request left unanswered for `translationTimeout`, up to
 * `translationRetries` times, then abandons its accesses and says so;
 * every access is accounted for (issued = completed + failed + abandoned),
 * and `ioasim chaos` fails the seed on liveness (exit 3), naming the device
 * and the access.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, topologyParse, type Report, type Topology } from '@ioasim/sim';
import { CHAOS_EXAMPLE, ioasim } from './chaos-kit.js';

/** The chaos example, 60 accesses per workload, whose only chaos drops 60% of the translation requests. */
function atsDropText(delivery: 'at-most-once' | 'at-least-once'): string {
  const text = readFileSync(CHAOS_EXAMPLE, 'utf8').replace(/count: \d+/g, 'count: 60').replace(/^  delivery: at-least-once$/m, `  delivery: ${delivery}`);
  return `${text.slice(0, text.indexOf('\nchaos:\n'))}\nchaos:\n  - { match: "*.iommu.*.ats", drop: 0.6 }\n`;
}

function atsDrop(delivery: 'at-most-once' | 'at-least-once'): Topology {
  const parsed = topologyParse(atsDropText(delivery), 'ats-drop.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.topology;
}

function accountOf(report: Report): { issued: number; ended: number } {
  const { accesses } = report;
  return { issued: accesses.issued, ended: accesses.completed + accesses.failed + accesses.abandoned + accesses.stuck };
}

describe('accesses lost to chaos', () => {
  it('CH11 re-sends lost translation requests and abandons, counts and names the accesses of one unanswered after its retries', () => {
    const report = run(atsDrop('at-most-once'), { seed: 1 });
    expect(report.chaos.delivery).toBe('at-most-once');
    expect(report.chaos.actions.drop).toBeGreaterThan(0);
    expect(accountOf(report)).toEqual({ issued: 240, ended: 240 });
    expect(report.accesses.translationsRetried).toBeGreaterThan(0);
    expect(report.accesses.abandoned).toBeGreaterThan(0);
    expect(report.accesses.stuck).toBe(0);
    const first = report.accesses.abandonedFirst[0];
    expect(first).toMatchObject({ host: 'h0', requests: 4, waitedNs: 4_000_000 });
    expect(['nic0', 'vnet0']).toContain(first?.device);
    for (const device of report.perDevice) {
      expect(device.accessesIssued).toBe(device.accessesCompleted + device.accessesFailed + device.accessesAbandoned + device.accessesInFlight);
    }
    expect(report.perDevice.reduce((sum, device) => sum + device.accessesAbandoned, 0)).toBe(report.accesses.abandoned);
    // `ioasim run` reports abandonment and judges the invariants, as for groups.
    expect(report.invariants.every((invariant) => invariant.violations === 0)).toBe(true);
  });

  it('CH12 loses no access under the same chaos with at-least-once delivery', () => {
    const report = run(atsDrop('at-least-once'), { seed: 1 });
    expect(report.chaos.delivery).toBe('at-least-once');
    expect(report.chaos.actions.drop).toBeGreaterThan(0);
    expect(report.accesses).toMatchObject({ issued: 240, completed: 240, abandoned: 0, stuck: 0 });
  });

  it('CH13 fails an at-most-once campaign that loses an access on liveness (exit 3), naming the device and the access', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ioasim-ats-')), 'ats-drop.yaml');
    writeFileSync(file, atsDropText('at-most-once'));
    const campaign = await ioasim('chaos', file, '--seeds', '1', '--jobs', '1');
    expect(campaign.code).toBe(3);
    expect(campaign.out).toMatch(
      /^seed 1: liveness — 0 stuck, 0 abandoned, \d+ access\(es\) abandoned — first: h0\/(nic0|vnet0) access to page \d+ of (PASID \d+|the RID) abandoned after 4 translation request\(s\) unanswered for 4000000ns/m,
    );
    const summary = await ioasim('run', file);
    expect(summary.code).toBe(0);
    expect(summary.out).toMatch(/^accesses: 240 issued, \d+ completed, 0 failed, \d+ abandoned, 0 stuck; \d+ translation request\(s\) re-sent$/m);
    expect(summary.out).toMatch(/^ {2}first abandoned: h0\/(nic0|vnet0) access to page \d+ of /m);
  });

  it('CH14 names the lost access too when the same seed also lost a page request group', async () => {
    // examples/chaos.yaml's own chaos at-most-once: seed 3 abandons a group and, on its own, two accesses.
    const campaign = await ioasim('chaos', CHAOS_EXAMPLE, '--seeds', '3', '--jobs', '1', '--delivery', 'at-most-once');
    expect(campaign.code).toBe(3);
    expect(campaign.out).toMatch(
      /^seed 3: liveness — 0 stuck, \d+ abandoned, \d+ access\(es\) abandoned — first: h0\/\w+ group \d+ abandoned after \d+ns; first access: h0\/\w+ access to page \d+ of /m,
    );
  });
});
