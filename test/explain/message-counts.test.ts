/**
 * Goal: the report says, per actor (each service of each host) and per
 * subject kind, how many frames were sent, received, dropped, duplicated
 * and left pending; what one actor sends on a point-to-point subject another
 * receives, and a frame that could not be used is counted as dropped.
 */
import { fileURLToPath } from 'node:url';
import { styleFor, summaryFormat } from '@ioasim/cli';
import { run, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

function example(name: string): Topology {
  const loaded = topologyLoad(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  return loaded.topology;
}

function kindTotals(report: Report): Map<string, { sent: number; received: number; dropped: number }> {
  const totals = new Map<string, { sent: number; received: number; dropped: number }>();
  for (const actor of report.messages.perActor) {
    for (const [kind, row] of Object.entries(actor.bySubjectKind)) {
      const total = totals.get(kind) ?? { sent: 0, received: 0, dropped: 0 };
      total.sent += row.sent;
      total.received += row.received;
      total.dropped += row.dropped;
      totals.set(kind, total);
    }
  }
  return totals;
}

describe('message counts per actor', () => {
  const report = run(example('response-timeout.yaml'));

  it('has a row for each service of each host', () => {
    expect(report.messages.perActor.map((row) => `${row.host}/${row.actor}`)).toEqual(['h0/device', 'h0/ioasid-manager', 'h0/iommu', 'h0/vdpa', 'h0/vfio']);
  });

  it('leaves out of the summary table an actor that exchanged no frame: the vdpa frontend of a host without a vDPA owner', () => {
    const rows = summaryFormat(report, styleFor(false)).split('\n');
    const table = rows.slice(rows.indexOf('messages per actor') + 2, rows.indexOf('messages per subject kind') - 1);
    expect(table.map((row) => row.trim().split(/\s+/).slice(0, 2).join('/'))).toEqual(['h0/device', 'h0/ioasid-manager', 'h0/iommu', 'h0/vfio']);
  });

  it('receives on every point-to-point subject kind exactly what was sent, and loses nothing on a clean bus', () => {
    const totals = kindTotals(report);
    for (const kind of ['iommuAts', 'iommuPri', 'iommuCmd', 'mgrFaults', 'mgrResp', 'mgrCtl', 'ioasidFaults', 'devAts', 'devPrgr']) {
      expect({ kind, ...totals.get(kind) }).toEqual({ kind, sent: totals.get(kind)?.sent, received: totals.get(kind)?.sent, dropped: 0 });
      expect(totals.get(kind)?.sent).toBeGreaterThan(0);
    }
    expect(report.messages.totals).toMatchObject({ dropped: 0, duplicated: 0, pending: 0 });
  });

  it('counts what each actor sends where: the device sends page requests, the iommu reports faults, the manager commands the iommu', () => {
    const actor = (name: string) => report.messages.perActor.find((row) => row.actor === name);
    expect(actor('device')?.bySubjectKind['iommuPri']?.sent).toBeGreaterThan(0);
    expect(actor('iommu')?.bySubjectKind['iommuPri']?.received).toBe(actor('device')?.bySubjectKind['iommuPri']?.sent);
    expect(actor('iommu')?.bySubjectKind['mgrFaults']?.sent).toBe(actor('ioasid-manager')?.bySubjectKind['mgrFaults']?.received);
    expect(actor('ioasid-manager')?.bySubjectKind['iommuCmd']?.sent).toBe(actor('iommu')?.bySubjectKind['iommuCmd']?.received);
    const row = actor('device');
    expect(row?.sent).toBe(Object.values(row?.bySubjectKind ?? {}).reduce((sum, kind) => sum + kind.sent, 0));
  });

  it('gives each frontend only the fault groups of its own spaces', () => {
    const twoFrontends = run(example('single-host.yaml'));
    const received = (name: string) => twoFrontends.messages.perActor.find((row) => row.actor === name)?.bySubjectKind['ioasidFaults']?.received ?? 0;
    const delivered = (owners: string[]) =>
      twoFrontends.perIoasid.filter((space) => owners.includes(space.owner)).reduce((sum, space) => sum + space.delivered, 0);
    // single-host.yaml: vm0's spaces are vfio's, vm1's are vdpa's; in this run each frame carries one group.
    expect(received('vfio')).toBe(delivered(['vm0']));
    expect(received('vdpa')).toBe(delivered(['vm1']));
    expect(received('vdpa')).toBeGreaterThan(0);
    // No frame is heard by both: what the manager sent is what the two received.
    const sent = twoFrontends.messages.perActor.find((row) => row.actor === 'ioasid-manager')?.bySubjectKind['ioasidFaults']?.sent;
    expect(received('vfio') + received('vdpa')).toBe(sent);
  });

  it('counts a frame that does not decode as dropped at the actor that received it', () => {
    const broken = run(example('response-timeout.yaml'), {
      onStart: (simulation) => simulation.clock.afterNs(1000, () => simulation.bus.publish(simulation.subjects('h0').mgrFaults(), new Uint8Array([0xc1, 0x00, 0x07]))),
    });
    const manager = broken.messages.perActor.find((row) => row.actor === 'ioasid-manager');
    expect(manager?.dropped).toBe(1);
    expect(manager?.bySubjectKind['mgrFaults']?.dropped).toBe(1);
    expect(broken.messages.totals.dropped).toBe(1);
  });

  it('counts duplicates a delivery layer reports through the actor\'s hook', () => {
    const duplicated = run(example('response-timeout.yaml'), {
      onStart: (simulation) => {
        const ports = simulation.services[0]!.device.ports;
        simulation.clock.afterNs(1000, () => ports.messages.duplicated(simulation.subjects('h0').devPrgr('nic0')));
      },
    });
    const device = duplicated.messages.perActor.find((row) => row.actor === 'device');
    expect(device?.duplicated).toBe(1);
    expect(device?.bySubjectKind['devPrgr']?.duplicated).toBe(1);
  });
});
