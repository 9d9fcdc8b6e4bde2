import { DeviceState, type DeviceEffects } from '@ioasim/model';
import { Perm, ResponseCode, type DeviceConfig, type PageRequest, type Settings, type TraceEvent, type TranslationRequest } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { hostFixture } from './fixtures.js';

const settings: Settings = {
  batch: { records: 64, windowNs: 0 },
  delivery: 'at-most-once',
  deviceTimeoutNs: 1_000_000,
  retries: 3,
  translationTimeoutNs: 1_000_000,
  translationRetries: 3,
  responseTimeoutNs: null,
};

function deviceWith(change: Partial<DeviceConfig>) {
  const config: DeviceConfig = { ...hostFixture().devices[0]!, ...change };
  const requests: PageRequest[] = [];
  const translations: TranslationRequest[] = [];
  const trace: TraceEvent[] = [];
  /** The translation timers armed and not cancelled, by timer id: the delay each was armed with. */
  const timers = new Map<number, number>();
  let timerNext = 1;
  const effects: DeviceEffects = {
    translationRequest: (request) => translations.push(request),
    pageRequest: (request) => requests.push(request),
    trace: (event) => trace.push(event),
    groupTimeoutSet: () => {},
    translationTimerSet: (delayNs) => {
      const id = timerNext++;
      timers.set(id, delayNs);
      return { id };
    },
    translationTimerCancel: (timer) => timers.delete((timer as { readonly id: number }).id),
  };
  const device = new DeviceState('h0', config, settings, effects);
  /** One access to `page` that misses: the translation comes back not ok. */
  /** One access to `page` that hits in the IOMMU: the ATC keeps the translation. */
  const translated = (nowNs: number, pasid: number | null, page: number) => {
    device.access(nowNs, pasid, page, Perm.read, 1);
    device.translationCompleted(nowNs, { pasid, page, perm: Perm.read, ok: true });
  };
  const fault = (nowNs: number, pasid: number | null, page: number) => {
    device.access(nowNs, pasid, page, Perm.read, 1);
    device.translationCompleted(nowNs, { pasid, page, perm: Perm.read, ok: false });
  };
  /** Fires the translation timer at `nowNs`, as the clock would. */
  const timerFire = (nowNs: number) => {
    timers.clear();
    device.translationTimerFired(nowNs);
  };
  return { device, requests, translations, trace, timers, fault, translated, timerFire };
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
    device.access(0, null, 2, Perm.read, 1);
    expect(device.counters.atcHits).toBe(1);
    device.atcInvalidate([1]);
    device.access(0, null, 2, Perm.read, 1);
    device.access(0, null, 1, Perm.read, 1);
    device.access(0, 1, 1, Perm.read, 1);
    expect(device.counters.atcHits).toBe(2);
    expect(device.counters.translationRequests).toBe(5);
    device.atcInvalidate(null);
    device.access(0, null, 2, Perm.read, 1);
    expect(device.counters.atcHits).toBe(2);
  });

  describe('translation timeout', () => {
    it('re-sends a translation request left unanswered for translationTimeout, then completes the access on a late answer', () => {
      const { device, translations, trace, timers, timerFire } = deviceWith({});
      device.access(0, 1, 7, Perm.read, 1);
      device.access(10, 1, 7, Perm.read, 1);
      expect(translations).toHaveLength(1);
      expect([...timers.values()]).toEqual([settings.translationTimeoutNs]);
      timerFire(1_000_000);
      expect(translations).toHaveLength(2);
      expect(translations[1]).toMatchObject({ pasid: 1, page: 7 });
      expect(trace.at(-1)).toMatchObject({ kind: 'translationRetried', pasid: 1, page: 7, attempt: 1 });
      expect(device.counters.translationsRetried).toBe(1);
      expect(device.accessesInFlight).toBe(2);
      expect([...timers.values()]).toEqual([settings.translationTimeoutNs]);
      device.translationCompleted(1_000_500, { pasid: 1, page: 7, perm: Perm.read, ok: true });
      expect(device.counters).toMatchObject({ accessesIssued: 2, accessesCompleted: 2, accessesAbandoned: 0 });
      expect(device.idle).toBe(true);
    });

    it('abandons the accesses of a translation unanswered after translationRetries re-sends, traced and counted', () => {
      const { device, translations, trace, timers, timerFire } = deviceWith({});
      device.access(0, null, 3, Perm.read, 1);
      device.access(0, null, 3, Perm.write, 1);
      for (let attempt = 1; attempt <= settings.translationRetries + 1; attempt++) timerFire(attempt * 1_000_000);
      expect(translations).toHaveLength(settings.translationRetries + 1);
      expect(trace.at(-1)).toEqual({
        kind: 'accessAbandoned',
        t: 4_000_000,
        host: 'h0',
        device: device.config.name,
        pasid: null,
        page: 3,
        accesses: 2,
        requests: 4,
        waitedNs: 4_000_000,
      });
      expect(device.counters).toMatchObject({ accessesIssued: 2, accessesCompleted: 0, accessesFailed: 0, accessesAbandoned: 2, translationsRetried: 3 });
      expect(device.accessesInFlight).toBe(0);
      expect(timers.size).toBe(0);
      device.translationCompleted(4_000_100, { pasid: null, page: 3, perm: Perm.read | Perm.write, ok: true });
      expect(device.counters.accessesCompleted).toBe(0);
    });

    it('keeps one timer for all its translations, armed for the oldest unanswered one, and none once idle with its workloads ended', () => {
      const { device, translations, timers, timerFire } = deviceWith({});
      device.access(0, null, 1, Perm.read, 1);
      device.access(100, null, 2, Perm.read, 1);
      device.access(300, null, 3, Perm.read, 1);
      expect([...timers.values()]).toEqual([1_000_000]);
      device.translationCompleted(50, { pasid: null, page: 1, perm: Perm.read, ok: true });
      // The oldest was answered: the timer fires for nothing to do, and is armed for the next unanswered one.
      timerFire(1_000_000);
      expect(translations).toHaveLength(3);
      expect([...timers.values()]).toEqual([100]);
      timerFire(1_000_100);
      expect(translations.map((request) => request.page)).toEqual([1, 2, 3, 2]);
      expect([...timers.values()]).toEqual([200]);
      device.translationCompleted(1_000_200, { pasid: null, page: 2, perm: Perm.read, ok: true });
      device.translationCompleted(1_000_200, { pasid: null, page: 3, perm: Perm.read, ok: true });
      expect(device.idle).toBe(true);
      // Idle while its workloads still issue, it keeps the timer: it fires early for the next burst, and is armed again for it.
      expect([...timers.values()]).toEqual([200]);
      device.access(1_500_000, null, 4, Perm.read, 1);
      timerFire(1_000_300);
      expect([...timers.values()]).toEqual([1_499_700]);
      device.workloadsEnded();
      expect(timers.size).toBe(1);
      device.translationCompleted(1_500_100, { pasid: null, page: 4, perm: Perm.read, ok: true });
      expect(timers.size).toBe(0);
    });

    it('cancels its timer when its workloads end while it is idle', () => {
      const { device, timers } = deviceWith({});
      device.access(0, null, 1, Perm.read, 1);
      device.translationCompleted(50, { pasid: null, page: 1, perm: Perm.read, ok: true });
      expect(timers.size).toBe(1);
      device.workloadsEnded();
      expect(timers.size).toBe(0);
    });

    it('cancels its timer at unplug, failing what it had in flight', () => {
      const { device, timers, fault } = deviceWith({});
      fault(0, null, 2);
      device.access(0, null, 5, Perm.read, 1);
      expect(timers.size).toBe(1);
      device.unplug(10);
      expect(timers.size).toBe(0);
      expect(device.counters.accessesFailed).toBe(2);
    });

    it('does not expire a later translation of the same page for the deadline of an earlier one', () => {
      const { device, translations, timerFire } = deviceWith({});
      device.access(0, null, 9, Perm.read, 1);
      device.translationCompleted(10, { pasid: null, page: 9, perm: Perm.read, ok: true });
      device.access(20, null, 8, Perm.read, 1);
      device.atcInvalidate(null);
      device.access(500_000, null, 9, Perm.read, 1);
      timerFire(1_000_020);
      expect(translations.map((request) => request.page)).toEqual([9, 8, 9, 8]);
      expect(device.counters.translationsRetried).toBe(1);
    });
  });
});
