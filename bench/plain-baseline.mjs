// The plain-JS baseline of an embedded round trip: the same per-fault work
// as the simulator (routing lookup by (iommu, sid) and (device, pasid), a
// page-table map, PRI credit accounting, a cookie table) in one straight
// line, with no actors, no bus, no frames and no scheduler.
//
// The faulting pages fall in a working set of PAGES pages per space, as the
// example workloads' do (256 to 4,096 pages). Pages drawn from a million made
// the page maps grow to millions of entries: the loop then timed Map growth
// and garbage collection, and one run differed from the next by a fifth
// (0.94M to 1.87M faults/s), enough to trip `--check` on unchanged code.

/** The working set of faulting pages per space. */
const PAGES = 4096;
/** Runs of which plainFaultsPerSecond keeps the fastest. */
const RUNS = 5;

/** Faults per second of the straight-line fault path: the best of RUNS runs of `faults` faults each. */
export function plainFaultsPerSecond(faults, nowNs) {
  let best = 0;
  for (let index = 0; index < RUNS; index++) {
    // From a collected heap, when the process allows it (`--expose-gc`, as bench/run.mjs runs).
    global.gc?.();
    best = Math.max(best, plainRun(faults, nowNs));
  }
  return best;
}

function plainRun(faults, nowNs) {
  const devices = new Map();
  const streams = new Map([['smmu0', new Map()]]);
  const spaces = new Map();
  for (let index = 0; index < 2; index++) {
    const device = { name: `dev${index}`, sid: 0x100 * (index + 1), credits: 32, outstanding: 0, attachments: new Map() };
    for (let pasid = -1; pasid < 3; pasid++) {
      const name = `space${index}-${pasid}`;
      spaces.set(name, { name, owner: 'vm0', pages: new Map(), iopf: true });
      device.attachments.set(pasid, name);
    }
    devices.set(device.name, device);
    streams.get('smmu0').set(device.sid, device);
  }
  const pending = new Map();
  let cookieNext = 1;
  let state = 0x9e3779b9;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const started = nowNs();
  let answered = 0;
  for (let fault = 0; fault < faults; fault++) {
    const sid = random() < 0.5 ? 0x100 : 0x200;
    const pasid = Math.floor(random() * 4) - 1;
    const page = Math.floor(random() * PAGES);
    const device = streams.get('smmu0').get(sid);
    if (device.outstanding >= device.credits) continue;
    device.outstanding++;
    const space = spaces.get(device.attachments.get(pasid));
    if (space === undefined || !space.iopf) continue;
    const cookie = cookieNext++;
    pending.set(cookie, { device, space, page, perm: 1 });
    const group = pending.get(cookie);
    group.space.pages.set(group.page, (group.space.pages.get(group.page) ?? 0) | group.perm | 1);
    pending.delete(cookie);
    group.device.outstanding--;
    answered++;
  }
  const seconds = Number(nowNs() - started) / 1e9;
  return answered / seconds;
}

/** Device names of a host of ten, shared by every host as a topology's template shares them. */
const DEVICE_NAMES = Array.from({ length: 10 }, (_, index) => `dev${index}`);

/**
 * The plain-JS baseline of the scale rows' memory: what the straight-line
 * fault path above holds for a fleet of `devices` devices in hosts of ten (a
 * device by stream ID, its PRI credits and its PASID-to-space map; a host's
 * space with its empty page table), as plain objects and Maps, nothing else.
 * Heap bytes per device after a collection, and the RSS of the process while
 * it holds the fleet. Needs `--expose-gc`.
 */
export function plainFleetMemory(devices) {
  if (devices % DEVICE_NAMES.length !== 0) throw new Error(`plain fleet: ${devices} devices is not a whole number of hosts of ten`);
  global.gc();
  const before = process.memoryUsage().heapUsed;
  const hosts = [];
  for (let index = 0; index < devices / DEVICE_NAMES.length; index++) {
    const space = { name: 'gpa', owner: 'vm0', pages: new Map(), iopf: true };
    const streams = new Map();
    DEVICE_NAMES.forEach((name, slot) => {
      const device = { name, sid: 0x100 + slot, credits: 8, outstanding: 0, attachments: new Map([[-1, space]]) };
      streams.set(device.sid, device);
    });
    hosts.push({ index, streams, spaces: new Map([['gpa', space]]) });
  }
  // Held in a module variable across the collection: a local that the optimized code no longer reads is
  // no root, and V8 collected the whole fleet before it was measured (0.08 B/device at 100,000 devices).
  plainFleetHeld = hosts;
  global.gc();
  const held = process.memoryUsage();
  plainFleetHeld = null;
  return { bytesPerDevice: (held.heapUsed - before) / devices, rssMiB: held.rss / 2 ** 20 };
}

/** The plain fleet being measured, kept alive until it is. */
let plainFleetHeld = null;
