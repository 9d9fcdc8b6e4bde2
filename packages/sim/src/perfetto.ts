/**
 * Perfetto / Chrome Trace Event export: a timeline of a run that opens in
 * ui.perfetto.dev or chrome://tracing, in simulated time.
 *
 *   process = host; thread (track) = actor: each device, the iommu, the
 *   ioasid manager, each handler (`handler <space>`)
 *   device track    one slice per fault group, page request -> PRG response
 *   iommu track     one slice per group, its last request in the PRI queue
 *                   (arrival -> leaving for the manager)
 *   manager track   one slice per group, routed -> answered (or auto-responded)
 *   handler track   one slice per group, delivered -> answered
 *   flows           arrows device -> manager -> handler -> device for each group
 *   counters        outstanding page requests per device; PRI queue depth per
 *                   host and handler queue depth per handler, as traced
 *
 * Bounded: only groups raised inside the window are written, optionally one
 * in `sample`, and at most `eventsMax` events; pairing state lives only as
 * long as a group is in flight.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceEvent } from '@ioasim/protocol';

export type PerfettoOptions = {
  /** Groups raised before this simulated time are left out. */
  readonly fromNs: number;
  /** Groups raised after this simulated time are left out. */
  readonly toNs: number;
  /** Keep one group in `sample` (1 = all). */
  readonly sample: number;
  /** Stop writing after this many trace events (the file says so). */
  readonly eventsMax: number;
};

export const PERFETTO_DEFAULTS: PerfettoOptions = { fromNs: 0, toNs: Number.POSITIVE_INFINITY, sample: 1, eventsMax: 2_000_000 };

type OpenGroup = { readonly raisedNs: number; readonly device: string; readonly flow: number; routedNs: number | null; cookie: number };
type OpenCookie = { readonly groupKey: string; readonly ioasid: string; deliveredNs: number | null };

export class PerfettoExporter {
  private readonly file: number;
  private written = 0;
  private first = true;
  private truncated = false;
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, number>();
  private readonly groups = new Map<string, OpenGroup>();
  private readonly cookies = new Map<string, OpenCookie>();
  private flowNext = 1;

  constructor(
    path: string,
    private readonly options: PerfettoOptions = PERFETTO_DEFAULTS,
  ) {
    this.file = openSync(path, 'w');
    writeSync(this.file, '{"displayTimeUnit":"ns","otherData":{"producer":"ioasim","time":"simulated"},"traceEvents":[\n');
  }

  observe(event: TraceEvent): void {
    switch (event.kind) {
      case 'groupRaised':
        this.groupRaised(event);
        return;
      case 'faultRouted': {
        const group = this.groups.get(`${event.host}/${event.device}/${event.group}`);
        if (group === undefined) return;
        group.routedNs = event.t;
        group.cookie = event.cookie;
        this.cookies.set(`${event.host}/${event.cookie}`, { groupKey: `${event.host}/${event.device}/${event.group}`, ioasid: event.ioasid, deliveredNs: null });
        this.iommuSlice(event, group.flow);
        this.flow('t', event.host, 'ioasid-manager', event.t, group.flow);
        return;
      }
      case 'faultDelivered': {
        const cookie = this.cookies.get(`${event.host}/${event.cookie}`);
        if (cookie === undefined) return;
        cookie.deliveredNs = event.t;
        if (event.handlerQueueDepth !== undefined) {
          this.emit({ ph: 'C', name: `handler queue ${event.ioasid}`, pid: this.pid(event.host), ts: event.t / 1000, args: { groups: event.handlerQueueDepth } });
        }
        this.flow('t', event.host, `handler ${event.ioasid}`, event.t, this.groups.get(cookie.groupKey)?.flow ?? 0);
        return;
      }
      case 'groupAnswered':
      case 'groupAutoResponded':
        this.answered(event);
        return;
      case 'groupCompleted':
      case 'groupAbandoned':
        this.ended(event);
        return;
      default:
        return;
    }
  }

  close(): void {
    if (this.truncated) {
      const marker = { ph: 'i', s: 'g', name: `ioasim: truncated at ${this.options.eventsMax} events`, pid: 0, tid: 0, ts: 0 };
      writeSync(this.file, `${this.first ? '' : ',\n'}${JSON.stringify(marker)}`);
    }
    writeSync(this.file, '\n]}\n');
    closeSync(this.file);
  }

  get eventsWritten(): number {
    return this.written;
  }

  private groupRaised(event: Extract<TraceEvent, { kind: 'groupRaised' }>): void {
    if (event.t < this.options.fromNs || event.t > this.options.toNs) return;
    if (this.options.sample > 1 && event.group % this.options.sample !== 0) return;
    const flow = this.flowNext++;
    this.groups.set(`${event.host}/${event.device}/${event.group}`, { raisedNs: event.t, device: event.device, flow, routedNs: null, cookie: 0 });
    this.emit({ ph: 'C', name: `outstanding ${event.device}`, pid: this.pid(event.host), ts: event.t / 1000, args: { requests: event.outstanding, credits: event.credits } });
  }

  /** The group's last request in the PRI queue, where the IOMMU stamped it; and the queue's depth as it arrived. */
  private iommuSlice(event: Extract<TraceEvent, { kind: 'faultRouted' }>, flow: number): void {
    const { iommuInNs, iommuOutNs } = event;
    if (iommuInNs === undefined || iommuOutNs === undefined) return;
    this.slice(event.host, 'iommu', `group ${event.group}`, iommuInNs, iommuOutNs, { device: event.device, pasid: event.pasid, priQueueDepth: event.priQueueDepth ?? null });
    this.flow('t', event.host, 'iommu', iommuInNs, flow);
    if (event.priQueueDepth !== undefined) {
      this.emit({ ph: 'C', name: 'PRI queue', pid: this.pid(event.host), ts: iommuInNs / 1000, args: { records: event.priQueueDepth } });
    }
  }

  private answered(event: Extract<TraceEvent, { kind: 'groupAnswered' | 'groupAutoResponded' }>): void {
    const groupKey = `${event.host}/${event.device}/${event.group}`;
    const group = this.groups.get(groupKey);
    if (group === undefined) return;
    const cookie = event.cookie === 0 ? undefined : this.cookies.get(`${event.host}/${event.cookie}`);
    this.cookies.delete(`${event.host}/${event.cookie}`);
    const name = event.kind === 'groupAnswered' ? `group ${event.group} ${codeName(event.code)}` : `group ${event.group} auto ${event.cause}`;
    const routedNs = group.routedNs ?? event.t;
    this.slice(event.host, 'ioasid-manager', name, routedNs, event.t, { device: event.device, cookie: event.cookie });
    if (cookie?.deliveredNs != null) {
      this.slice(event.host, `handler ${cookie.ioasid}`, name, cookie.deliveredNs, event.t, { device: event.device, cookie: event.cookie });
    }
  }

  private ended(event: Extract<TraceEvent, { kind: 'groupCompleted' | 'groupAbandoned' }>): void {
    const key = `${event.host}/${event.device}/${event.group}`;
    const group = this.groups.get(key);
    if (group === undefined) return;
    this.groups.delete(key);
    const name = event.kind === 'groupCompleted' ? `group ${event.group} ${codeName(event.code)}` : `group ${event.group} abandoned`;
    const track = `device ${event.device}`;
    this.slice(event.host, track, name, group.raisedNs, event.t, { group: event.group });
    this.flow('s', event.host, track, group.raisedNs, group.flow);
    // The arrow ends inside the device slice, a nanosecond before it closes.
    this.flow('f', event.host, track, Math.max(group.raisedNs, event.t - 1), group.flow);
  }

  private slice(host: string, track: string, name: string, fromNs: number, toNs: number, args: Record<string, unknown>): void {
    this.emit({ ph: 'X', name, pid: this.pid(host), tid: this.tid(host, track), ts: fromNs / 1000, dur: Math.max(0, toNs - fromNs) / 1000, args });
  }

  private flow(phase: 's' | 't' | 'f', host: string, track: string, atNs: number, id: number): void {
    if (id === 0) return;
    this.emit({ ph: phase, name: 'fault', cat: 'fault', id, pid: this.pid(host), tid: this.tid(host, track), ts: atNs / 1000, ...(phase === 'f' ? { bp: 'e' } : {}) });
  }

  private pid(host: string): number {
    let pid = this.pids.get(host);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(host, pid);
      this.emit({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: host } });
    }
    return pid;
  }

  private tid(host: string, track: string): number {
    const key = `${host}/${track}`;
    let tid = this.tids.get(key);
    if (tid === undefined) {
      tid = this.tids.size + 1;
      this.tids.set(key, tid);
      this.emit({ ph: 'M', name: 'thread_name', pid: this.pid(host), tid, args: { name: track } });
    }
    return tid;
  }

  private emit(record: Record<string, unknown>): void {
    if (this.written >= this.options.eventsMax) {
      this.truncated = true;
      return;
    }
    writeSync(this.file, `${this.first ? '' : ',\n'}${JSON.stringify(record)}`);
    this.first = false;
    this.written++;
  }
}

function codeName(code: number): string {
  return code === 0 ? 'SUCCESS' : code === 1 ? 'INVALID' : 'FAILURE';
}
