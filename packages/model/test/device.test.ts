import { DeviceState, type DeviceEffects } from '@ioasim/model';
import { Perm, ResponseCode, type DeviceConfig, type PageRequest, type Settings, type TraceEvent } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { hostFixture } from './fixtures.js';

const settings: Settings = {
  batch: { records: 64, windowNs: 0 },
  delivery: 'at-most-once',
  deviceTimeoutNs: 1_000_000,
  retries: 3,
  responseTimeoutNs: null,
};

function deviceWith(change: Partial<DeviceConfig>) {
  const config: DeviceConfig = { ...hostFixture().devices[0]!, ...change };
  const requests: PageRequest[] = [];
  const trace: TraceEvent[] = [];
  const effects: DeviceEffects = {
    translationRequest: () => {},
    pageRequest: (request) => requests.push(request),
    trace: (event) => trace.push(event),
    groupTimeoutSet: () => {},
  };
  const device = new DeviceState('h0', config, settings, effects);
  /** One access to `page` that misses: the translation comes back not ok. */
  /** One access to `page` that hits in the IOMMU: the ATC keeps the translation. */
  const translated = (nowNs: number, pasid: number | null, page: number) => {
    device.access(pasid, page, Perm.read, 1);
    device.translationCompleted(nowNs, { pasid, page, perm: Perm.read, ok: true });
  };
  const fault = (nowNs: number, pasid: number | null, page: number) => {
    device.access(pasid, page, Perm.read, 1);
    device.translationCompleted(nowNs, { pasid, page, perm: Perm.read, ok: false });
  };
  return { device, requests, trace, fault, translated };
}

describe('DeviceState', () => {
  it('sets RF on a Response Failure: later faults are unrecoverable and raise no page request', () => {
    const { device, requests, trace, fault } = deviceWith({});
    fault(0, null, 1);
    const first = requests[0]!;
    device.prgResponse(10, { pasid: null, prgIndex: first.prgIndex, code: ResponseCode.failure, group: first.group });
    expect(device.priDisabled).toBe(true);
    fault(20, null, 2);
    expect(requests).toHaveLength(1);
    expect(device.counters.unrecoverable).toBe(1);
    expect(trace.at(-1)).toMatchObject({ kind: 'faultUnrecoverable', page: 2 });
  });

  it('does not disable anything on a stall device: FAILURE aborts the stalled transaction', () => {
    const { device, requests, fault } = deviceWith({ pri: null, stall: true });
    fault(0, null, 1);
    const first = requests[0]!;
    expect(first).toMatchObject({ stall: true, last: true });
    device.prgResponse(10, { pasid: null, prgIndex: first.prgIndex, code: ResponseCode.failure, group: first.group });
    expect(device.priDisabled).toBe(false);
    expect(device.counters.accessesFailed).toBe(1);
    fault(20, null, 2);
    expect(requests).toHaveLength(2);
  });

  it('R19 takes a response only when it carries a PASID exactly as its request did', () => {
    const { device, requests, trace, fault } = deviceWith({});
    fault(0, 1, 7);
    const request = requests[0]!;
    expect(request.pasid).toBe(1);
    device.prgResponse(10, { pasid: null, prgIndex: request.prgIndex, code: ResponseCode.success, group: request.group });
    expect(trace.at(-1)).toMatchObject({ kind: 'responseUnexpected', pasid: null });
    expect(device.outstandingGroups).toBe(1);
    device.prgResponse(20, { pasid: 1, prgIndex: request.prgIndex, code: ResponseCode.success, group: request.group });
    expect(trace.at(-1)).toMatchObject({ kind: 'groupCompleted', pasid: 1 });
    expect(device.outstandingGroups).toBe(0);
  });

  it('drops the invalidated pages from its ATC, of every PASID, and keeps the others', () => {
    const { device, translated } = deviceWith({});
    translated(0, null, 1);
    translated(0, 1, 1);
    translated(0, null, 2);
    device.access(null, 2, Perm.read, 1);
    expect(device.counters.atcHits).toBe(1);
    device.atcInvalidate([1]);
    device.access(null, 2, Perm.read, 1);
    device.access(null, 1, Perm.read, 1);
    device.access(1, 1, Perm.read, 1);
    expect(device.counters.atcHits).toBe(2);
    expect(device.counters.translationRequests).toBe(5);
    device.atcInvalidate(null);
    device.access(null, 2, Perm.read, 1);
    expect(device.counters.atcHits).toBe(2);
  });
});
