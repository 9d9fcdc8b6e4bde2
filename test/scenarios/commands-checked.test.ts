/**
 * Goal (issue 21): commands are checked as the kernel checks an ioctl. The
 * iommu refuses commands naming a space or a stream it does not have, or a
 * space still in use, and counts them; the manager answers control requests
 * naming unknown or foreign objects, or out-of-range arguments, with an
 * error reply. Neither crashes, and no refused command leaves a fault to
 * loop: the run ends as the undisturbed one does.
 */
import { frameDecode, frameEncode, metricsSubject, type ControlOperation, type ControlReply, type IommuCommand } from '@ioasim/protocol';
import { run, topologyLoad, wireInject, wireRecords, type Report, type Simulation, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

function singleHost(): Topology {
  const loaded = topologyLoad(new URL('../../examples/single-host.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  return loaded.topology;
}

/** What refused commands must leave as it was: every fault group's fate, the devices, the invariants, the run's length. */
function outcome(report: Report): unknown {
  return { simulatedNs: report.simulatedNs, faults: report.faults, perDevice: report.perDevice, invariants: report.invariants };
}

const AT_NS = 50_000;

describe('commands checked like ioctls', () => {
  it('the iommu refuses commands naming unknown streams, unknown or destroyed spaces, or a space in use, and counts them', () => {
    const topology = singleHost();
    const undisturbed = run(topology);
    const forged: IommuCommand[] = [
      { kind: 'map', ioasid: 'nope', pages: [1, 2], perm: 3 },
      { kind: 'unmap', ioasid: 'nope', pages: [1] },
      // vq-data is attached to vnet0, gpa is the parent of the attached guest-s1: destroying either would loop faults forever.
      { kind: 'destroy', ioasid: 'vq-data' },
      { kind: 'destroy', ioasid: 'gpa' },
      { kind: 'destroy', ioasid: 'nope' },
      { kind: 'attach', sid: 0x999, pasid: null, ioasid: 'gpa' },
      { kind: 'attach', sid: 0x100, pasid: 5, ioasid: 'nope' },
      { kind: 'unplug', sid: 0x999 },
    ];
    let metrics: ReturnType<typeof wireRecords<'metrics'>> = [];
    const disturbed = run(topology, {
      onStart: (simulation) => {
        metrics = wireRecords(simulation, metricsSubject(simulation.run, 'h0'), 'metrics');
        wireInject(simulation, AT_NS, simulation.subjects('h0').iommuCmd('smmu0'), 'iommuCommand', forged);
      },
    });
    expect(outcome(disturbed)).toEqual(outcome(undisturbed));
    const iommu = metrics.find((record) => record.record.actor === 'iommu/smmu0');
    expect(iommu?.record.counters['commandsRefused']).toBe(forged.length);
  });

  it('the manager answers control requests naming unknown or foreign objects, or bad arguments, with an error', () => {
    const topology = singleHost();
    const undisturbed = run(topology);
    const requests: [string, ControlOperation, ControlReply['ok'] | string][] = [
      ['vm0', { op: 'destroy', ioasid: 'vq-data' }, 'notOwner'],
      ['vm0', { op: 'map', ioasid: 'nope', pages: [1], perm: 3 }, 'notFound'],
      ['vm1', { op: 'unplug', device: 'nic0' }, 'notOwner'],
      ['vm0', { op: 'detach', device: 'nope', pasid: null, asid: null }, 'notFound'],
      ['vm1', { op: 'attach', device: 'vnet0', pasid: null, asid: 7, ioasid: 'vq-data' }, 'invalidArgument'],
      ['vm1', { op: 'attach', device: 'vnet0', pasid: 3, asid: 0, ioasid: 'vq-data' }, 'invalidArgument'],
      // gpa holds guest-s1 nested over it, as a NEST_PARENT HWPT is held by its nested HWPTs.
      ['vm0', { op: 'destroy', ioasid: 'gpa' }, 'busy'],
      ['nobody', { op: 'destroy', ioasid: 'dma-pool' }, 'notOwner'],
    ];
    const replies: string[] = [];
    const disturbed = run(topology, {
      onStart: (simulation: Simulation) => {
        simulation.clock.afterNs(AT_NS, () => {
          for (const [owner, operation] of requests) {
            const bytes = frameEncode('controlRequest', 'probe', 1, [{ owner, operation }]);
            simulation.bus.request(simulation.subjects('h0').mgrCtl(), bytes, 1_000_000, (result) => {
              if (!result.ok) return void replies.push(result.error);
              const frame = result.message.frame ?? (() => {
                const decoded = frameDecode(result.message.data);
                return decoded.ok ? decoded.frame : null;
              })();
              const reply = frame?.records[0] as ControlReply | undefined;
              replies.push(reply === undefined ? 'no reply' : reply.ok ? 'ok' : reply.error);
            });
          }
        });
      },
    });
    expect(replies).toEqual(requests.map(([, , expected]) => expected));
    expect(outcome(disturbed)).toEqual(outcome(undisturbed));
  });
});
