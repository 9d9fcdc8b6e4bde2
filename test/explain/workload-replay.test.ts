/**
 * Goal: `ioasim run <file> --workload-from <trace.csv>` replays a recorded
 * access trace (time, device, pasid, address, perm) in place of the
 * topology's workloads, and a bad line is reported as
 * `file:line: what was found, what was expected` with exit code 2.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { Perm } from '@ioasim/protocol';
import { run, topologyLoad, workloadReplayLoad, workloadReplayParse, type Topology } from '@ioasim/sim';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const examplePath = fileURLToPath(new URL('../../examples/single-host.yaml', import.meta.url));
const tracePath = fileURLToPath(new URL('../../examples/single-host-trace.csv', import.meta.url));

function singleHost(): Topology {
  const loaded = topologyLoad(examplePath);
  if (!loaded.ok) throw new Error('single-host.yaml does not load');
  return loaded.topology;
}

async function ioasim(...argv: string[]): Promise<{ code: number; out: string; error: string }> {
  const out: string[] = [];
  const error: string[] = [];
  const io: Io = { out: (text) => out.push(text), error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, out: out.join('\n'), error: error.join('\n') };
}

describe('replaying a recorded access trace (--workload-from)', () => {
  it('turns each line into an access at its time, on the page address >> 12, with its permissions', () => {
    const text = ['time,device,pasid,address,perm', '2us,nic0,1,0x7f3a12345fff,rw', '500,nic0,1,8192,w', '1000,nic0,,4095,1', '3000ns,vnet0,0,0x3000,r'].join('\n');
    const replay = workloadReplayParse(singleHost(), 'trace.csv', text);
    if (!replay.ok) throw new Error(replay.errors.join('\n'));
    expect(replay.accesses).toBe(4);
    const workloads = replay.topology.hosts[0]?.workloads ?? [];
    expect(workloads.map((workload) => [workload.device, workload.pasid, workload.asid, workload.replay])).toEqual([
      ['nic0', 1, null, [{ atNs: 500, page: 2, perm: Perm.write }, { atNs: 2000, page: 0x7f3a12345, perm: Perm.read | Perm.write }]],
      ['nic0', null, null, [{ atNs: 1000, page: 0, perm: Perm.read }]],
      ['vnet0', null, 0, [{ atNs: 3000, page: 3, perm: Perm.read }]],
    ]);
  });

  it('replaces the topology\'s workloads: the run issues exactly the trace\'s accesses, per device', () => {
    const replay = workloadReplayLoad(singleHost(), tracePath);
    if (!replay.ok) throw new Error(replay.errors.join('\n'));
    const lines = readFileSync(tracePath, 'utf8').split('\n').filter((line) => /^\d/.test(line));
    const report = run(replay.topology);
    expect(report.accesses.issued).toBe(lines.length);
    const issued = Object.fromEntries(report.perDevice.map((device) => [device.device, device.accessesIssued]));
    expect(issued).toEqual({ nic0: lines.filter((line) => line.includes(',nic0,')).length, vnet0: lines.filter((line) => line.includes(',vnet0,')).length });
    expect(report.faults.raised).toBeGreaterThan(0);
    expect(report.faults.stuck).toBe(0);
    expect(report.invariants.every((invariant) => invariant.violations === 0)).toBe(true);
  });

  it('runs from the command line', async () => {
    const result = await ioasim('run', examplePath, '--workload-from', tracePath, '--json');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.out) as { accesses: { issued: number } }).accesses.issued).toBe(120);
  });

  it('reports every bad line as file:line: what was found, what was expected, and exits 2', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ioasim-replay-')), 'bad.csv');
    writeFileSync(path, ['time,device,pasid,address,perm', '1us,nic0,1,0x1000,r', '2 parsecs,nic0,1,0x1000,r', '3us,nic9,1,0x1000,r', '4us,nic0,7,0x1000,r', '5us,nic0,1,0xZZ,r', '6us,nic0,1,4096,x', '7us,nic0,1'].join('\n'));
    const result = await ioasim('run', examplePath, '--workload-from', path);
    expect(result.code).toBe(2);
    expect(result.error.split('\n')).toEqual([
      `${path}:3: time: found "2 parsecs"; expected a duration such as 1500, 1500ns, 1.5us or 2ms`,
      `${path}:4: device: found "nic9", which is no device of the topology; expected one of: nic0, vnet0`,
      `${path}:5: pasid: found 7, no attached pasid of nic0; expected one of: none (the RID), 1, 2`,
      `${path}:6: address: found "0xZZ"; expected a byte address, hex (0x7f3a12345000) or decimal`,
      `${path}:7: perm: found "x"; expected r, w, rw, or the Perm bits as a number with read (1) or write (2) set`,
      `${path}:8: found 3 column(s) in "7us,nic0,1"; expected 5: time,device,pasid,address,perm`,
      `${path}: 6 error(s)`,
    ]);
  });
});
