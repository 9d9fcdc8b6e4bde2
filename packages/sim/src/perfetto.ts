/**
 * Perfetto / Chrome Trace Event export: a timeline of a run that opens in
 * ui.perfetto.dev or chrome://tracing, in simulated time (embedded runs) or
 * wall-clock time since the run's origin (distributed runs; the file's
 * `otherData.time` says which).
 *
 *   process = host; thread (track) = one lane of an actor: each device, the
 *   iommu, the ioasid manager, each handler (`handler <space>`)
 *   device lanes    one slice per fault group, page request -> PRG response
 *   iommu lanes     one slice per group, its last request in the PRI queue
 *                   (arrival -> leaving for the manager)
 *   manager lanes   one slice per group, routed -> answered (or auto-responded)
 *   handler lanes   one slice per group, delivered -> answered
 *   flows           arrows device -> iommu -> manager -> handler -> device for each group
 *   counters        outstanding page requests per device; PRI queue depth per
 *                   host and handler queue depth per handler, as traced
 *
 * Many groups are in flight on one actor at once, and a viewer drops or cuts
 * slices that overlap on one track without nesting. So each actor spreads
 * its slices over lanes, one track each (`device nic0`, `device nic0 (2)`,
 * ...), sorted together: a slice goes to the first lane whose last slice
 * ended before it starts. No two slices on one track overlap at all, and at
 * least 1 ns lies between them, since a viewer that reads microsecond
 * timestamps may round each end by a nanosecond. Flow events are written
 * with the slice they bind to, on its lane.
 *
 * Bounded: only groups raised inside the window are written, optionally one
 * in `sample`, and at most `eventsMax` events; an actor has at most
 * PERFETTO_LANES_MAX lanes (a slice that finds none free is left out and
 * counted, and the file says so); pairing state lives only as long as a
 * group is in flight.
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
  /** What the trace's times are: simulated (an embedded run) or wall-clock since the run's origin (a distributed run). */
  readonly clock: PerfettoClock;
};

export type PerfettoClock = 'simulated' | 'wall';

export const PERFETTO_DEFAULTS: PerfettoOptions = { fromNs: 0, toNs: Number.POSITIVE_INFINITY, sample: 1, eventsMax: 2_000_000, clock: 'simulated' };

/** The most lanes (tracks) one actor's slices spread over. */
export const PERFETTO_LANES_MAX = 256;

/** One actor's lanes: when each lane's last slice ends (integer ns), and where the actor sorts among its host's. */
type Actor = { readonly sortIndex: number; readonly laneEndsNs: number[] };

type OpenGroup = { readonly raisedNs: number; readonly device: string; readonly flow: number; routedNs: number | null; cookie: number };
type OpenCookie = { readonly ioasid: string; deliveredNs: number | null };
/** Where a slice went: its process (host) and thread (lane). */
type Lane = { readonly pid: number; readonly tid: number };

export class PerfettoExporter {
  private readonly file: number;
  private written = 0;
  private first = true;
  private truncated = false;
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, number>();
  private readonly groups = new Map<string, OpenGroup>();
  private readonly cookies = new Map<string, OpenCookie>();
  private readonly actors = new Map<string, Actor>();
  private flowNext = 1;
  private lanesFull = 0;

  constructor(
    path: string,
    private readonly options: PerfettoOptions = PERFETTO_DEFAULTS,
  ) {
    this.file = openSync(path, 'w');
    const otherData = { producer: 'ioasim', time: options.clock, ...(options.clock === 'wall' ? { origin: "the run's time origin, shared by every process" } : {}) };
    writeSync(this.file, `{"displayTimeUnit":"ns","otherData":${JSON.stringify(otherData)},"traceEvents":[\n`);
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
        this.cookies.set(`${event.host}/${event.cookie}`, { ioasid: event.ioasid, deliveredNs: null });
        this.iommuSlice(event, group.flow);
        return;
      }
      case 'faultDelivered': {
        const cookie = this.cookies.get(`${event.host}/${event.cookie}`);
        if (cookie === undefined) return;
        cookie.deliveredNs = event.t;
        if (event.handlerQueueDepth !== undefined) {
          this.emit({ ph: 'C', name: `handler queue ${event.ioasid}`, pid: this.pid(event.host), ts: event.t / 1000, args: { groups: event.handlerQueueDepth } });
        }
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
    const notes = [
      ...(this.truncated ? [`ioasim: truncated at ${this.options.eventsMax} events`] : []),
      ...(this.lanesFull > 0 ? [`ioasim: ${this.lanesFull} slice(s) left out: more than ${PERFETTO_LANES_MAX} at once on one actor`] : []),
    ];
    for (const note of notes) {
      writeSync(this.file, `${this.first ? '' : ',\n'}${JSON.stringify({ ph: 'i', s: 'g', name: note, pid: 0, tid: 0, ts: 0 })}`);
      this.first = false;
    }
    writeSync(this.file, '\n]}\n');
    closeSync(this.file);
  }

  get eventsWritten(): number {
    return this.written;
  }

  /** Slices left out because every lane of their actor was busy. */
  get slicesLeftOut(): number {
    return this.lanesFull;
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
    const lane = this.slice(event.host, 'iommu', `group ${event.group}`, iommuInNs, iommuOutNs, { device: event.device, pasid: event.pasid, priQueueDepth: event.priQueueDepth ?? null });
    this.flow('t', lane, iommuInNs, flow);
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
    const manager = this.slice(event.host, 'ioasid-manager', name, routedNs, event.t, { device: event.device, cookie: event.cookie });
    if (group.routedNs !== null) this.flow('t', manager, routedNs, group.flow);
    if (cookie?.deliveredNs != null) {
      const handler = this.slice(event.host, `handler ${cookie.ioasid}`, name, cookie.deliveredNs, event.t, { device: event.device, cookie: event.cookie });
      this.flow('t', handler, cookie.deliveredNs, group.flow);
    }
  }

  private ended(event: Extract<TraceEvent, { kind: 'groupCompleted' | 'groupAbandoned' }>): void {
    const key = `${event.host}/${event.device}/${event.group}`;
    const group = this.groups.get(key);
    if (group === undefined) return;
    this.groups.delete(key);
    const name = event.kind === 'groupCompleted' ? `group ${event.group} ${codeName(event.code)}` : `group ${event.group} abandoned`;
    const lane = this.slice(event.host, `device ${event.device}`, name, group.raisedNs, event.t, { group: event.group });
    this.flow('s', lane, group.raisedNs, group.flow);
    // The arrow ends inside the device slice, a nanosecond before it closes.
    this.flow('f', lane, Math.max(Math.round(group.raisedNs), Math.round(event.t) - 1), group.flow);
  }

  /** Writes a slice on the first free lane of the actor `track` of `host`: its track, or null when every lane was busy (counted). */
  private slice(host: string, track: string, name: string, fromNs: number, toNs: number, args: Record<string, unknown>): Lane | null {
    const from = Math.round(fromNs);
    const to = Math.max(from, Math.round(toNs));
    const actor = this.actor(host, track);
    let lane = actor.laneEndsNs.findIndex((endNs) => endNs < from);
    if (lane === -1) {
      if (actor.laneEndsNs.length >= PERFETTO_LANES_MAX) {
        this.lanesFull++;
        return null;
      }
      lane = actor.laneEndsNs.length;
      actor.laneEndsNs.push(to);
    } else {
      actor.laneEndsNs[lane] = to;
    }
    const at: Lane = { pid: this.pid(host), tid: this.tid(host, track, lane, actor) };
    this.emit({ ph: 'X', name, ...at, ts: from / 1000, dur: (to - from) / 1000, args });
    return at;
  }

  private flow(phase: 's' | 't' | 'f', lane: Lane | null, atNs: number, id: number): void {
    if (id === 0 || lane === null) return;
    this.emit({ ph: phase, name: 'fault', cat: 'fault', id, ...lane, ts: Math.round(atNs) / 1000, ...(phase === 'f' ? { bp: 'e' } : {}) });
  }

  private actor(host: string, track: string): Actor {
    const key = `${host}/${track}`;
    let actor = this.actors.get(key);
    if (actor === undefined) {
      actor = { sortIndex: this.actors.size, laneEndsNs: [] };
      this.actors.set(key, actor);
    }
    return actor;
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

  /** The thread of lane `lane` of an actor: named after the actor (lanes past the first numbered), sorted with the actor's other lanes. */
  private tid(host: string, track: string, lane: number, actor: Actor): number {
    const name = lane === 0 ? track : `${track} (${lane + 1})`;
    const key = `${host}/${name}`;
    let tid = this.tids.get(key);
    if (tid === undefined) {
      tid = this.tids.size + 1;
      this.tids.set(key, tid);
      const pid = this.pid(host);
      this.emit({ ph: 'M', name: 'thread_name', pid, tid, args: { name } });
      this.emit({ ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: actor.sortIndex * PERFETTO_LANES_MAX + lane } });
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
