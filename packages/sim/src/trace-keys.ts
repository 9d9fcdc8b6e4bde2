/**
 * Keys for what the observers of a trace track in flight: a fault group,
 * named by (host, device, group), and a cookie, named by (host, cookie).
 *
 * Each trace event of a group is looked up by its key, several times per
 * group in the checker and the hop book. Rather than a `host/device/group`
 * string built for every lookup, these keys are numbers: the device (or
 * host) gets a small index the first time it is seen, and the key is
 * `index + DEVICES_SPAN * group`, exact as long as it stays below 2^53.
 * (Measured alone over a recorded trace the two cost about the same; the
 * number keys allocate nothing per event.) An index or a number too large for that
 * (past two million devices, or four billion groups of one device) falls
 * back to the string, which is never equal to a number key.
 *
 * Memory: an index per device and host named by the trace, bounded by the
 * topology (and by the names a bad frame could make up, each of which is
 * counted by the bus before it reaches a trace).
 */

/** Devices (or hosts) with an index: 2^21, so that `index + DEVICES_SPAN * n` stays exact for any n below 2^32. */
const DEVICES_SPAN = 2 ** 21;
const NUMBER_SPAN = 2 ** 32;

export type TraceKey = number | string;

/**
 * A map by (host, name): a device or a space of a host, as trace events name
 * them. Two lookups by the event's own strings instead of a `host/name`
 * string built for each event.
 */
export class HostMap<Value> {
  private readonly hosts = new Map<string, Map<string, Value>>();
  private entriesCount = 0;

  get size(): number {
    return this.entriesCount;
  }

  get(host: string, name: string): Value | undefined {
    return this.hosts.get(host)?.get(name);
  }

  /** The value of (host, name), made by `create` the first time. */
  ensure(host: string, name: string, create: () => Value): Value {
    let names = this.hosts.get(host);
    if (names === undefined) {
      names = new Map();
      this.hosts.set(host, names);
    }
    let value = names.get(name);
    if (value === undefined) {
      value = create();
      names.set(name, value);
      this.entriesCount++;
    }
    return value;
  }

  /** Every entry, ordered by `host/name` as a string sorts. */
  sorted(): { readonly host: string; readonly name: string; readonly value: Value }[] {
    const entries: { host: string; name: string; value: Value; key: string }[] = [];
    for (const [host, names] of this.hosts) {
      for (const [name, value] of names) entries.push({ host, name, value, key: `${host}/${name}` });
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

export class TraceKeys {
  /** The index of each device, in the order first seen: the next one is the count so far. */
  private readonly devices = new HostMap<number>();
  private readonly hosts = new Map<string, number>();
  /** Made once, so that a lookup allocates no closure. */
  private readonly deviceIndexNext = (): number => this.devices.size;

  /** The key of `group` of `device` on `host`. */
  group(host: string, device: string, group: number): TraceKey {
    const index = this.devices.ensure(host, device, this.deviceIndexNext);
    return fits(index, group) ? index + DEVICES_SPAN * group : `${host}/${device}/${group}`;
  }

  /** The key of `cookie` of the manager on `host`. */
  cookie(host: string, cookie: number): TraceKey {
    let index = this.hosts.get(host);
    if (index === undefined) {
      index = this.hosts.size;
      this.hosts.set(host, index);
    }
    return fits(index, cookie) ? index + DEVICES_SPAN * cookie : `${host}/${cookie}`;
  }
}

function fits(index: number, value: number): boolean {
  return index < DEVICES_SPAN && Number.isInteger(value) && value >= 0 && value < NUMBER_SPAN;
}
