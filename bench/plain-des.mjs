// The plain-JS discrete-event simulation of ioasim's fault path: the
// same-work limit of an embedded run. It reads the normalized topology that
// ioasim runs (topologyLoad) and simulates the same hops, costs and queues
// with one binary heap of events: no actors, no bus, no frames, no trace.
//
// An access of a workload, as ioasim does it (DESIGN.md "The fault path"):
//
//   arrival at the device -> ATC hit: done
//   ATS request         device -> iommu (device-iommu link)
//   ATS completion      iommu -> device (device-iommu), after a walk of the
//                       iommu's tables (stage 1, then the parent's stage 2)
//   a miss: a page request group (PRI credits and a PRG index at the device,
//   a retry timer), its page request device -> iommu (device-iommu)
//   PRI service         the iommu's bounded PRI queue, `service` per request
//   fault record        iommu -> manager (iommu-manager)
//   routing, a cookie, the manager's dispatch queue, `manager.service` per group
//   fault group         manager -> handler (manager-handler)
//   handler service     the space's handler queue, its `service` per group
//   map request         handler -> manager (manager-handler): the manager maps
//                       its table, commands the iommu (iommu-manager) and replies
//   map reply           manager -> handler (manager-handler)
//   page response       handler -> manager (manager-handler)
//   response command    manager -> iommu (iommu-manager)
//   PRG response        iommu -> device (device-iommu): credits back, latency
//                       recorded, the access translated again (a second ATS
//                       round trip), which may fault again at stage 2
//
// Each hop is one event at its arrival time, each service completion one
// event, each access one arrival event and each group one retry-timer event
// (which finds the group answered and does nothing, as in ioasim). Links are
// FIFO per ioasim subject (arrival = max(send + sampled cost, the link's last
// arrival)); the reply of a map request crosses no FIFO link, as a NATS reply
// inbox is its own subject. Every random draw comes from a stream of the same
// name that ioasim draws it from (randomCreate, costSample of @ioasim/model),
// in the same order per stream, so the same seed gives the same arrivals,
// pages and service times: only the order of events at one instant may
// differ. Measured with seed 1 against ioasim's trace (the exact mean of its
// groupCompleted latencies): examples/fault-storm.yaml, 10,000 faults in
// both, mean latency 12,032.68 ns in both; examples/single-host.yaml, 7,049
// faults, 94,000 accesses and 1,063 ATC hits in both, mean latency
// 35,759.36 ns in both, and the same simulated time to the nanosecond. The
// bench checks the fault count on every run and prints the ratio of the
// mean latencies (ioasim's report rounds its mean to the nanosecond).
//
// Left out, because the topologies it runs have none of them (it refuses a
// topology that has any): a timeline, chaos, replayed workloads, zipf
// patterns, stall devices and devices without PRI, groups of more than one
// page request (so no PRG assembly, and no overflow report to the manager,
// which only discards partial groups), PRI quotas, a batching window, a
// response timeout and handler policies other than `map` and `invalid`.
// Left out on purpose: batching (a batch of n records in ioasim is n events
// here), the per-request timer of a map request (cancelled in ioasim when
// its reply arrives, so never run), trace events, and the checker and the
// latency, hop and series books that read them: this is the fault path
// alone, and an embedded run's observers are work this does not do.
import { WorkloadGenerator, costSample, randomCreate } from '@ioasim/model';

const PERM_READ = 1;
const PERM_WRITE = 2;
const CODE_SUCCESS = 0;
const CODE_INVALID = 1;
/** PRG indices of a device (PCIe: 9 bits). */
const PRG_INDEX_COUNT = 512;
/** Groups a handler may hold; past it a group is answered INVALID at once (ioasim's HANDLER_QUEUE_MAX). */
const HANDLER_QUEUE_MAX = 1 << 16;
/** Groups the manager may have in dispatch (ioasim's DISPATCH_QUEUE_MAX). */
const DISPATCH_QUEUE_MAX = 1 << 20;
/** An access key: (PASID slot + 1) * 2^32 + page, as the device's. */
const ACCESS_KEY_PAGES = 2 ** 32;
/** The first PASID of a host's pool for vDPA address spaces. */
const PASID_POOL_BASE = 0x1000;
const RID_KEY = -1;

// Event kinds: a hop's arrival or a service's end.
const ARRIVAL = 0;
const ATS_REQUEST = 1;
const ATS_COMPLETION = 2;
const PAGE_REQUEST = 3;
const PRI_SERVED = 4;
const FAULT_RECORD = 5;
const DISPATCHED = 6;
const FAULT_GROUP = 7;
const HANDLER_SERVED = 8;
const MAP_REQUEST = 9;
const MAP_COMMAND = 10;
const MAP_REPLY = 11;
const PAGE_RESPONSE = 12;
const RESPONSE_COMMAND = 13;
const PRG_RESPONSE = 14;
const GROUP_TIMEOUT = 15;

// An access at the device.
const TRANSLATING = 0;
const AWAITING_CREDITS = 1;
const FAULTING = 2;

/** One pending event: ordered by time, then by the order it was scheduled in. */
class Event {
  constructor(timeNs, sequence, kind, target, data) {
    this.timeNs = timeNs;
    this.sequence = sequence;
    this.kind = kind;
    this.target = target;
    this.data = data;
  }
}

function before(a, b) {
  return a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.sequence < b.sequence);
}

/** The event queue: a binary heap of Events. */
class EventHeap {
  heap = [];
  sequence = 0;
  nowNs = 0;

  schedule(timeNs, kind, target, data) {
    const event = new Event(timeNs, this.sequence++, kind, target, data);
    const heap = this.heap;
    let position = heap.length;
    heap.push(event);
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (!before(event, heap[parent])) break;
      heap[position] = heap[parent];
      position = parent;
    }
    heap[position] = event;
  }

  pop() {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    const size = heap.length;
    if (size > 0) {
      let position = 0;
      for (;;) {
        let child = 2 * position + 1;
        if (child >= size) break;
        if (child + 1 < size && before(heap[child + 1], heap[child])) child++;
        if (!before(heap[child], last)) break;
        heap[position] = heap[child];
        position = child;
      }
      heap[position] = last;
    }
    this.nowNs = top.timeNs;
    return top;
  }
}

/** A FIFO link of one ioasim subject: a record arrives no earlier than the one sent before it. */
class Link {
  lastNs = 0;

  constructor(events, cost, random, fifo = true) {
    this.events = events;
    this.cost = cost;
    this.random = random;
    this.fifo = fifo;
  }

  send(kind, target, data) {
    let arrivalNs = this.events.nowNs + costSample(this.cost, this.random);
    if (this.fifo) {
      if (arrivalNs < this.lastNs) arrivalNs = this.lastNs;
      this.lastNs = arrivalNs;
    }
    this.events.schedule(arrivalNs, kind, target, data);
  }
}

/** A single server with a bounded FIFO queue (ioasim's ServerQueue): returns the finish time, or -1 when full. */
class Server {
  finishes = [];
  head = 0;
  busyUntilNs = 0;

  constructor(capacity) {
    this.capacity = capacity;
  }

  admit(nowNs, serviceNs) {
    const finishes = this.finishes;
    while (this.head < finishes.length && finishes[this.head] <= nowNs) this.head++;
    if (this.head > 1024 && this.head * 2 > finishes.length) {
      finishes.splice(0, this.head);
      this.head = 0;
    }
    if (finishes.length - this.head >= this.capacity) return -1;
    const finishNs = Math.max(nowNs, this.busyUntilNs) + serviceNs;
    this.busyUntilNs = finishNs;
    finishes.push(finishNs);
    return finishNs;
  }
}

/** A page table: page -> permissions. */
function permits(table, page, perm) {
  const mapped = table.get(page);
  if (mapped === undefined) return false;
  const needed = perm & (PERM_READ | PERM_WRITE);
  return (mapped & needed) === needed;
}

function tableMap(table, page, perm) {
  table.set(page, (table.get(page) ?? 0) | perm);
}

/** A device's workload: ioasim's own WorkloadGenerator, so the plain DES draws every access as ioasim does. */
class Workload {
  page = 0;
  perm = 0;

  constructor(config, random, device, pasid) {
    this.generator = new WorkloadGenerator(config, random);
    this.device = device;
    this.pasid = pasid;
  }

  nextArrivalNs() {
    return this.generator.nextArrivalNs();
  }

  /** Draws the access due now into `page` and `perm`, and the time of the next. */
  take() {
    const access = this.generator.take();
    this.page = access.page;
    this.perm = access.perm;
  }
}

/** Refuses what this simulation does not model, so that it never answers for a topology it does not run. */
function topologyCheck(topology) {
  const refuse = (what) => {
    throw new Error(`plain DES: ${topology.name}: ${what} is not modeled`);
  };
  if (topology.timeline.length > 0) refuse('a timeline');
  if (topology.chaos.length > 0) refuse('chaos');
  if (topology.settings.batch.windowNs !== 0) refuse('a batching window');
  if (topology.settings.responseTimeoutNs !== null) refuse('a response timeout');
  for (const host of topology.hosts) {
    for (const device of host.devices) if (device.pri === null || device.stall) refuse(`device ${device.name} without PRI`);
    for (const iommu of host.iommus) if (iommu.priQuota !== null) refuse('a PRI quota');
    for (const space of host.spaces) if (!['map', 'invalid'].includes(space.handler.policy)) refuse(`handler policy ${space.handler.policy}`);
    for (const workload of host.workloads) {
      if (workload.replay !== undefined) refuse('a replayed workload');
      if (workload.prgSize !== 1) refuse('a group of several page requests');
    }
  }
}

/**
 * One host: its devices, IOMMUs, manager and handlers, and the links between
 * them. Every event's target (a device, an IOMMU, a space, the host itself)
 * has the host in `host`, whose `run` handles the event.
 */
class Host {
  constructor(config, topology, seed, events, linkRandom, counters) {
    const name = config.name;
    this.host = this;
    const links = topology.links;
    this.config = config;
    this.events = events;
    this.counters = counters;
    this.settings = topology.settings;
    const link = (cost, fifo = true) => new Link(events, cost, linkRandom, fifo);
    this.spaces = new Map();
    for (const space of config.spaces) {
      this.spaces.set(space.name, {
        host: this,
        config: space,
        managerTable: new Map(),
        handler: { server: new Server(HANDLER_QUEUE_MAX), random: randomCreate(seed, `${name}/handler/${space.name}`), waiting: new Map() },
        faultLink: link(links.managerHandler),
      });
    }
    this.iommus = new Map();
    for (const iommu of config.iommus) {
      this.iommus.set(iommu.name, {
        config: iommu,
        host: this,
        random: randomCreate(seed, `${name}/iommu/${iommu.name}`),
        pri: new Server(iommu.priQueue),
        tables: new Map(config.spaces.map((space) => [space.name, new Map()])),
        streams: new Map(),
        atsLink: link(links.deviceIommu),
        priLink: link(links.deviceIommu),
        commandLink: link(links.iommuManager),
      });
    }
    this.devices = new Map();
    let poolNext = PASID_POOL_BASE;
    config.devices.forEach((device, index) => {
      const iommu = this.iommus.get(device.iommu);
      // vDPA address spaces are physical PASIDs from the host's pool, in device order.
      const asidPasids = [];
      for (let asid = 0; asid < device.asids; asid++) asidPasids.push(poolNext++);
      const wire = (pasid, asid) => (asid !== null ? asidPasids[asid] : pasid);
      const entry = {
        host: this,
        config: device,
        index,
        iommu,
        asidPasids,
        attachments: new Map(device.attach.map((attachment) => [wire(attachment.pasid, attachment.asid) ?? RID_KEY, this.spaces.get(attachment.space)])),
        credits: device.pri.credits,
        outstandingRequests: 0,
        atc: new Map(),
        pending: new Map(),
        groups: new Map(),
        prgFree: [],
        prgUnused: 0,
        creditWait: [],
        creditWaitHead: 0,
        groupNext: 1,
        atsCompletionLink: link(links.deviceIommu),
        prgResponseLink: link(links.deviceIommu),
      };
      this.devices.set(device.name, entry);
      iommu.streams.set(device.sid, entry);
    });
    this.manager = {
      random: randomCreate(seed, `${name}/ioasid-manager`),
      dispatch: new Server(DISPATCH_QUEUE_MAX),
      pending: new Map(),
      cookieByGroup: new Map(),
      cookieNext: 1,
      faultLink: link(links.iommuManager),
      controlLink: link(links.managerHandler),
      replyLink: link(links.managerHandler, false),
      responseLink: link(links.managerHandler),
      /** The IOMMUs a map is commanded to: every IOMMU a device of the host is behind. */
      commanded: [...new Set(config.devices.map((device) => device.iommu))].map((iommu) => this.iommus.get(iommu)),
    };
    this.mapInitial();
    this.workloads = config.workloads.map((workload, index) => {
      const device = this.devices.get(workload.device);
      const pasid = workload.asid !== null ? device.asidPasids[workload.asid] : workload.pasid;
      return new Workload(workload, randomCreate(seed, `${name}/workload/${index}/${workload.device}`), device, pasid);
    });
  }

  /** The first `mapped` fraction of each workload's pages, in its space and a nested space's parent, in every table. */
  mapInitial() {
    for (const workload of this.config.workloads) {
      const device = this.config.devices.find((candidate) => candidate.name === workload.device);
      const attachment = device.attach.find((candidate) => candidate.pasid === workload.pasid && candidate.asid === workload.asid);
      if (attachment === undefined) continue;
      const space = this.spaces.get(attachment.space).config;
      const names = space.parent === null ? [space.name] : [space.name, space.parent];
      const count = Math.floor(workload.pages * workload.mapped);
      for (const name of names) {
        const tables = [this.spaces.get(name).managerTable, ...[...this.iommus.values()].map((iommu) => iommu.tables.get(name))];
        for (const table of tables) for (let page = 0; page < count; page++) tableMap(table, page, PERM_READ | PERM_WRITE);
      }
    }
  }

  start() {
    for (const workload of this.workloads) this.arrivalSchedule(workload);
  }

  arrivalSchedule(workload) {
    const dueNs = workload.nextArrivalNs();
    if (dueNs !== null) this.events.schedule(Math.max(this.events.nowNs, Math.round(dueNs)), ARRIVAL, this, workload);
  }

  run(event) {
    const data = event.data;
    const target = event.target;
    switch (event.kind) {
      case ARRIVAL:
        data.take();
        this.access(data.device, data.pasid, data.page, data.perm);
        this.arrivalSchedule(data);
        return;
      case ATS_REQUEST:
        return this.translationRequest(target, data);
      case ATS_COMPLETION:
        return this.translationCompleted(target, data);
      case PAGE_REQUEST:
        return this.pageRequest(target, data);
      case PRI_SERVED:
        this.manager.faultLink.send(FAULT_RECORD, this, data);
        return;
      case FAULT_RECORD:
        return this.faultRecord(data);
      case DISPATCHED:
        return this.dispatched(data);
      case FAULT_GROUP:
        return this.faultGroup(target, data);
      case HANDLER_SERVED:
        return this.handlerServed(target, data);
      case MAP_REQUEST:
        return this.mapRequest(data);
      case MAP_COMMAND:
        for (const page of data.pages) tableMap(target.tables.get(data.space), page, data.perm);
        return;
      case MAP_REPLY:
        this.manager.responseLink.send(PAGE_RESPONSE, this, { cookie: data.cookie, code: CODE_SUCCESS, owner: data.owner });
        return;
      case PAGE_RESPONSE:
        return this.pageResponse(data);
      case RESPONSE_COMMAND:
        return this.responseCommand(target, data);
      case PRG_RESPONSE:
        return this.prgResponse(target, data);
      case GROUP_TIMEOUT:
        return this.groupTimeout(target, data);
      default:
        throw new Error(`plain DES: unknown event kind ${event.kind}`);
    }
  }

  // The device.

  access(device, pasid, page, perm) {
    this.counters.accesses++;
    const key = ((pasid ?? RID_KEY) + 1) * ACCESS_KEY_PAGES + page;
    const cached = device.atc.get(key);
    if (cached !== undefined && (cached & perm) === perm) {
      this.counters.atcHits++;
      this.counters.accessesCompleted++;
      return;
    }
    const waiting = device.pending.get(key);
    if (waiting !== undefined) {
      waiting.count++;
      waiting.perm |= perm;
      return;
    }
    const access = { key, pasid, page, perm, count: 1, state: TRANSLATING };
    device.pending.set(key, access);
    this.translate(device, access);
  }

  translate(device, access) {
    device.iommu.atsLink.send(ATS_REQUEST, device.iommu, { device, pasid: access.pasid, page: access.page, perm: access.perm });
  }

  translationCompleted(device, completion) {
    const key = ((completion.pasid ?? RID_KEY) + 1) * ACCESS_KEY_PAGES + completion.page;
    const waiting = device.pending.get(key);
    if (waiting === undefined || waiting.state !== TRANSLATING) return;
    if (completion.ok && (completion.perm & waiting.perm) === waiting.perm) {
      this.atcInsert(device, key, completion.perm);
      this.counters.accessesCompleted += waiting.count;
      device.pending.delete(key);
      return;
    }
    waiting.state = AWAITING_CREDITS;
    device.creditWait.push(key);
    this.creditWaitDrain(device);
  }

  atcInsert(device, key, perm) {
    const atc = device.atc;
    if (device.config.atc <= 0) return;
    if (!atc.has(key) && atc.size >= device.config.atc) atc.delete(atc.keys().next().value);
    atc.set(key, perm);
  }

  creditWaitDrain(device) {
    const queue = device.creditWait;
    while (device.creditWaitHead < queue.length && (device.prgFree.length > 0 || device.prgUnused < PRG_INDEX_COUNT)) {
      const key = queue[device.creditWaitHead];
      const waiting = device.pending.get(key);
      if (waiting !== undefined && waiting.state === AWAITING_CREDITS) {
        if (device.credits - device.outstandingRequests < 1) break;
        device.creditWaitHead++;
        this.groupIssue(device, waiting);
      } else {
        device.creditWaitHead++;
      }
    }
    if (device.creditWaitHead === queue.length) {
      queue.length = 0;
      device.creditWaitHead = 0;
    } else if (device.creditWaitHead > 1024 && device.creditWaitHead * 2 > queue.length) {
      queue.splice(0, device.creditWaitHead);
      device.creditWaitHead = 0;
    }
  }

  groupIssue(device, waiting) {
    device.outstandingRequests++;
    const prgIndex = device.prgFree.length > 0 ? device.prgFree.pop() : device.prgUnused++;
    const group = {
      group: device.groupNext++,
      prgIndex,
      pasid: waiting.pasid,
      key: waiting.key,
      page: waiting.page,
      perm: waiting.perm,
      firstIssuedNs: this.events.nowNs,
      attempt: 0,
    };
    device.groups.set(prgIndex, group);
    waiting.state = FAULTING;
    this.counters.faults++;
    this.groupSend(device, group);
  }

  groupSend(device, group) {
    const nowNs = this.events.nowNs;
    device.iommu.priLink.send(PAGE_REQUEST, device.iommu, {
      device,
      sid: device.config.sid,
      pasid: group.pasid,
      prgIndex: group.prgIndex,
      page: group.page,
      perm: group.perm,
      last: true,
      group: group.group,
      issuedNs: nowNs,
      stage: 1,
      iommu: device.iommu,
    });
    this.events.schedule(nowNs + this.settings.deviceTimeoutNs, GROUP_TIMEOUT, device, { prgIndex: group.prgIndex, group: group.group, attempt: group.attempt });
  }

  prgResponse(device, response) {
    const group = device.groups.get(response.prgIndex);
    if (group === undefined || group.group !== response.group || group.pasid !== response.pasid) {
      this.counters.responsesUnexpected++;
      return;
    }
    this.groupRetire(device, group);
    this.counters.faultsCompleted++;
    this.counters.latencyNsSum += this.events.nowNs - group.firstIssuedNs;
    const waiting = device.pending.get(group.key);
    if (waiting !== undefined) {
      if (response.code === CODE_SUCCESS) {
        waiting.state = TRANSLATING;
        this.translate(device, waiting);
      } else {
        this.accessesFail(device, waiting);
      }
    }
    this.creditWaitDrain(device);
  }

  groupTimeout(device, timer) {
    const group = device.groups.get(timer.prgIndex);
    if (group === undefined || group.group !== timer.group || group.attempt !== timer.attempt) return;
    if (group.attempt < this.settings.retries) {
      group.attempt++;
      this.counters.retried++;
      this.groupSend(device, group);
      return;
    }
    this.groupRetire(device, group);
    this.counters.abandoned++;
    const waiting = device.pending.get(group.key);
    if (waiting !== undefined) this.accessesFail(device, waiting);
    this.creditWaitDrain(device);
  }

  groupRetire(device, group) {
    device.groups.delete(group.prgIndex);
    device.prgFree.push(group.prgIndex);
    device.outstandingRequests--;
  }

  accessesFail(device, waiting) {
    this.counters.accessesFailed += waiting.count;
    device.pending.delete(waiting.key);
  }

  // The IOMMU.

  /** The stage a walk fails at, or 0 when it translates. */
  walk(iommu, sid, pasid, page, perm) {
    const device = iommu.streams.get(sid);
    if (device === undefined) return 1;
    const space = this.attachedSpace(iommu, device, pasid);
    if (space === null) return 1;
    if (!permits(iommu.tables.get(space.config.name), page, perm)) return 1;
    const parent = space.config.parent;
    if (space.config.kind === 'nested' && parent !== null && !permits(iommu.tables.get(parent), page, perm)) return 2;
    return 0;
  }

  /** The space attached at (device, pasid), with smmuv3's fallback to a nested space at the RID. */
  attachedSpace(iommu, device, pasid) {
    const own = device.attachments.get(pasid ?? RID_KEY);
    if (own !== undefined) return own;
    if (pasid === null || iommu.config.kind !== 'smmuv3') return null;
    const rid = device.attachments.get(RID_KEY);
    return rid !== undefined && rid.config.kind === 'nested' ? rid : null;
  }

  translationRequest(iommu, request) {
    const ok = this.walk(iommu, request.device.config.sid, request.pasid, request.page, request.perm) === 0;
    request.device.atsCompletionLink.send(ATS_COMPLETION, request.device, { pasid: request.pasid, page: request.page, perm: request.perm, ok });
  }

  pageRequest(iommu, request) {
    const nowNs = this.events.nowNs;
    const finishNs = iommu.pri.admit(nowNs, costSample(iommu.config.service, iommu.random));
    if (finishNs < 0) {
      this.counters.priOverflows++;
      return;
    }
    const stage = this.walk(iommu, request.sid, request.pasid, request.page, request.perm);
    request.stage = stage === 0 ? 1 : stage;
    if (finishNs === nowNs) this.manager.faultLink.send(FAULT_RECORD, this, request);
    else this.events.schedule(finishNs, PRI_SERVED, this, request);
  }

  responseCommand(iommu, command) {
    const device = iommu.streams.get(command.sid);
    if (device === undefined) return;
    device.prgResponseLink.send(PRG_RESPONSE, device, { pasid: command.pasid, prgIndex: command.prgIndex, code: command.code, group: command.group });
  }

  // The manager.

  faultRecord(record) {
    const manager = this.manager;
    // A Stop Marker: L=1 with neither READ nor WRITE.
    if (record.last && (record.perm & (PERM_READ | PERM_WRITE)) === 0) return;
    const device = record.iommu.streams.get(record.sid);
    const attached = device === undefined ? null : this.attachedSpace(record.iommu, device, record.pasid);
    let handlerSpace = attached;
    if (attached !== null && record.stage === 2) handlerSpace = attached.config.parent === null ? null : this.spaces.get(attached.config.parent);
    if (handlerSpace === null || !handlerSpace.config.iopf) {
      this.counters.autoResponded++;
      this.commandSend(record.iommu, record, CODE_INVALID);
      return;
    }
    const groupKey = device.index * ACCESS_KEY_PAGES + record.group;
    const known = manager.cookieByGroup.get(groupKey);
    if (known !== undefined) {
      const pending = manager.pending.get(known);
      if (pending !== undefined && pending.delivered) {
        pending.delivered = false;
        this.dispatchStart(known);
      }
      return;
    }
    const cookie = manager.cookieNext++;
    const pending = {
      cookie,
      groupKey,
      iommu: record.iommu,
      sid: record.sid,
      pasid: record.pasid,
      prgIndex: record.prgIndex,
      group: record.group,
      space: handlerSpace,
      owner: handlerSpace.config.owner,
      page: record.page,
      perm: record.perm,
      delivered: false,
    };
    manager.pending.set(cookie, pending);
    manager.cookieByGroup.set(groupKey, cookie);
    this.dispatchStart(cookie);
  }

  dispatchStart(cookie) {
    const nowNs = this.events.nowNs;
    const finishNs = this.manager.dispatch.admit(nowNs, costSample(this.config.manager.service, this.manager.random));
    if (finishNs === nowNs) this.dispatched(cookie);
    else this.events.schedule(finishNs, DISPATCHED, this, cookie);
  }

  dispatched(cookie) {
    const pending = this.manager.pending.get(cookie);
    if (pending === undefined || pending.delivered) return;
    pending.delivered = true;
    pending.space.faultLink.send(FAULT_GROUP, pending.space, pending);
  }

  mapRequest(request) {
    const space = this.spaces.get(request.space);
    if (space === undefined || space.config.owner !== request.owner) throw new Error(`plain DES: a map of ${request.space} refused`);
    for (const page of request.pages) tableMap(space.managerTable, page, request.perm);
    for (const iommu of this.manager.commanded) iommu.commandLink.send(MAP_COMMAND, iommu, request);
    this.manager.replyLink.send(MAP_REPLY, this, request);
  }

  pageResponse(response) {
    const manager = this.manager;
    const pending = manager.pending.get(response.cookie);
    if (pending === undefined || pending.owner !== response.owner) {
      this.counters.responsesRejected++;
      return;
    }
    manager.pending.delete(response.cookie);
    manager.cookieByGroup.delete(pending.groupKey);
    this.commandSend(pending.iommu, pending, response.code);
  }

  commandSend(iommu, group, code) {
    iommu.commandLink.send(RESPONSE_COMMAND, iommu, { sid: group.sid, pasid: group.pasid, prgIndex: group.prgIndex, code, group: group.group });
  }

  // The handler of a space, in its owner's frontend.

  faultGroup(space, group) {
    const handler = space.handler;
    if (handler.waiting.has(group.cookie)) return;
    const nowNs = this.events.nowNs;
    const finishNs = handler.server.admit(nowNs, costSample(space.config.handler.service, handler.random));
    if (finishNs < 0) {
      this.manager.responseLink.send(PAGE_RESPONSE, this, { cookie: group.cookie, code: CODE_INVALID, owner: space.config.owner });
      return;
    }
    handler.waiting.set(group.cookie, group);
    this.events.schedule(finishNs, HANDLER_SERVED, space, group.cookie);
  }

  handlerServed(space, cookie) {
    const group = space.handler.waiting.get(cookie);
    if (group === undefined) return;
    space.handler.waiting.delete(cookie);
    const owner = space.config.owner;
    if (space.config.handler.policy === 'invalid') {
      this.manager.responseLink.send(PAGE_RESPONSE, this, { cookie, code: CODE_INVALID, owner });
      return;
    }
    const perm = (group.perm & (PERM_READ | PERM_WRITE)) | PERM_READ;
    this.manager.controlLink.send(MAP_REQUEST, this, { cookie, owner, space: space.config.name, pages: [group.page], perm });
  }
}

/**
 * Runs `topology` with `seed` to its end. Returns what it counted: faults
 * (groups raised), their mean latency, accesses, events run, the simulated
 * time of the last event, and the wall seconds of the run, building
 * included. `onStart` is called when everything is built, before the first
 * event.
 */
export function plainDesRun(topology, seed, { onStart } = {}) {
  topologyCheck(topology);
  const started = process.hrtime.bigint();
  const counters = {
    accesses: 0,
    accessesCompleted: 0,
    accessesFailed: 0,
    atcHits: 0,
    faults: 0,
    faultsCompleted: 0,
    latencyNsSum: 0,
    retried: 0,
    abandoned: 0,
    autoResponded: 0,
    priOverflows: 0,
    responsesUnexpected: 0,
    responsesRejected: 0,
  };
  const events = new EventHeap();
  const linkRandom = randomCreate(seed, 'links');
  const hosts = topology.hosts.map((host) => new Host(host, topology, seed, events, linkRandom, counters));
  for (const host of hosts) host.start();
  onStart?.();
  let run = 0;
  while (events.heap.length > 0) {
    const event = events.pop();
    event.target.host.run(event);
    run++;
  }
  return {
    ...counters,
    latencyNsMean: counters.latencyNsSum / counters.faultsCompleted,
    events: run,
    simulatedNs: events.nowNs,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
