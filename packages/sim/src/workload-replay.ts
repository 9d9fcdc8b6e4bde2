/**
 * Replaying a recorded access trace (`ioasim run --workload-from trace.csv`):
 * the CSV's accesses replace every workload of the topology, so that a trace
 * taken from real hardware drives the simulated devices.
 *
 *   time,device,pasid,address,perm
 *   0,nic0,1,0x7f3a12345000,r
 *   1.5us,nic0,,4096,rw
 *
 * - time: simulated time, a duration with a unit or a number of ns;
 * - device: a device name, or `<host>/<device>` when several hosts have one
 *   of that name;
 * - pasid: the PASID the owner chose (empty, `-` or `none` = the RID), or
 *   for a vDPA device (one with `asids`) the address space ID; it must be
 *   attached;
 * - address: a byte address, hex (`0x...`) or decimal; page = address >> 12;
 * - perm: `r`, `w`, `rw`, or the Perm bits as a number (1 read, 2 write).
 *
 * A header line (starting with `time`), blank lines and `#` comments are
 * skipped. Each bad line is an error `file:line: what was found, what was
 * expected`; every error of the file is reported at once. Accesses of one
 * (device, pasid) are replayed in time order (a stable sort).
 */
import { readFileSync } from 'node:fs';
import { Perm, type HostConfig, type ReplayedAccess, type Topology, type WorkloadConfig } from '@ioasim/protocol';
import { parseDuration } from '@ioasim/topology';

export const REPLAY_COLUMNS = ['time', 'device', 'pasid', 'address', 'perm'] as const;

/** Bytes per page: the address's low 12 bits are the offset in a 4 KiB page. */
const PAGE_SHIFT = 12n;

export type ReplayResult =
  | { readonly ok: true; readonly topology: Topology; readonly accesses: number; readonly workloads: number }
  | { readonly ok: false; readonly errors: readonly string[] };

type Target = { readonly host: HostConfig; readonly device: string; readonly pasid: number | null; readonly asid: number | null };

/** The topology with its workloads replaced by the trace in `path`. */
export function workloadReplayLoad(topology: Topology, path: string): ReplayResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`] };
  }
  return workloadReplayParse(topology, path, text);
}

export function workloadReplayParse(topology: Topology, file: string, text: string): ReplayResult {
  const errors: string[] = [];
  const byTarget = new Map<string, { target: Target; accesses: ReplayedAccess[] }>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const where = `${file}:${index + 1}`;
    if (line === '' || line.startsWith('#')) return;
    if (/^time\s*,/i.test(line)) return;
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length !== REPLAY_COLUMNS.length) {
      errors.push(`${where}: found ${cells.length} column(s) in "${line}"; expected ${REPLAY_COLUMNS.length}: ${REPLAY_COLUMNS.join(',')}`);
      return;
    }
    const [timeCell, deviceCell, pasidCell, addressCell, permCell] = cells as [string, string, string, string, string];
    const failures: string[] = [];
    const atNs = timeOf(timeCell, failures);
    const target = targetOf(topology, deviceCell, pasidCell, failures);
    const page = pageOf(addressCell, failures);
    const perm = permOf(permCell, failures);
    if (failures.length > 0 || atNs === null || target === null || page === null || perm === null) {
      for (const failure of failures) errors.push(`${where}: ${failure}`);
      return;
    }
    const key = `${target.host.name}/${target.device}/${target.pasid ?? ''}/${target.asid ?? ''}`;
    let entry = byTarget.get(key);
    if (entry === undefined) {
      entry = { target, accesses: [] };
      byTarget.set(key, entry);
    }
    entry.accesses.push({ atNs, page, perm });
  });
  if (errors.length > 0) return { ok: false, errors };
  if (byTarget.size === 0) return { ok: false, errors: [`${file}: found no accesses; expected lines of ${REPLAY_COLUMNS.join(',')}`] };
  const workloadsByHost = new Map<string, WorkloadConfig[]>();
  let accesses = 0;
  for (const { target, accesses: list } of byTarget.values()) {
    list.sort((a, b) => a.atNs - b.atNs);
    accesses += list.length;
    const workloads = workloadsByHost.get(target.host.name) ?? [];
    workloads.push(replayWorkload(target, list));
    workloadsByHost.set(target.host.name, workloads);
  }
  return {
    ok: true,
    topology: { ...topology, hosts: topology.hosts.map((host) => ({ ...host, workloads: workloadsByHost.get(host.name) ?? [] })) },
    accesses,
    workloads: byTarget.size,
  };
}

function replayWorkload(target: Target, accesses: readonly ReplayedAccess[]): WorkloadConfig {
  let pageMax = 0;
  for (const access of accesses) if (access.page > pageMax) pageMax = access.page;
  return {
    device: target.device,
    pasid: target.pasid,
    asid: target.asid,
    pages: pageMax + 1,
    pattern: { kind: 'uniform' },
    rate: [{ atNs: 0, perSecond: 1 }],
    count: accesses.length,
    durationNs: null,
    write: 0,
    mapped: 0,
    arrival: 'fixed',
    prgSize: 1,
    replay: accesses,
  };
}

function timeOf(cell: string, failures: string[]): number | null {
  try {
    return parseDuration(cell);
  } catch {
    failures.push(`time: found "${cell}"; expected a duration such as 1500, 1500ns, 1.5us or 2ms`);
    return null;
  }
}

function targetOf(topology: Topology, deviceCell: string, pasidCell: string, failures: string[]): Target | null {
  const slash = deviceCell.indexOf('/');
  const hostName = slash < 0 ? null : deviceCell.slice(0, slash);
  const deviceName = slash < 0 ? deviceCell : deviceCell.slice(slash + 1);
  const hosts = topology.hosts.filter((host) => (hostName === null || host.name === hostName) && host.devices.some((device) => device.name === deviceName));
  if (hosts.length !== 1) {
    const names = [...new Set(topology.hosts.flatMap((host) => host.devices.map((device) => device.name)))].slice(0, 8);
    failures.push(
      hosts.length === 0
        ? `device: found "${deviceCell}", which is no device of the topology; expected one of: ${names.join(', ')}`
        : `device: found "${deviceCell}" on ${hosts.length} hosts; expected <host>/${deviceName}, e.g. ${hosts[0]?.name}/${deviceName}`,
    );
    return null;
  }
  const host = hosts[0] as HostConfig;
  const device = host.devices.find((candidate) => candidate.name === deviceName);
  if (device === undefined) return null;
  const ridCell = pasidCell === '' || pasidCell === '-' || pasidCell.toLowerCase() === 'none';
  if (!ridCell && !/^\d+$/.test(pasidCell)) {
    failures.push(`pasid: found "${pasidCell}"; expected a PASID number, or empty, - or none for the RID`);
    return null;
  }
  const id = ridCell ? null : Number(pasidCell);
  const byAsid = device.asids > 0;
  const attached = device.attach.map((attachment) => (byAsid ? attachment.asid : attachment.pasid)).filter((candidate) => !byAsid || candidate !== null);
  if (!attached.includes(id)) {
    const what = byAsid ? `asid of vDPA device ${device.name}` : `pasid of ${device.name}`;
    const expected = attached.map((candidate) => (candidate === null ? 'none (the RID)' : String(candidate)));
    failures.push(`pasid: found ${id === null ? 'none (the RID)' : id}, no attached ${what}; expected one of: ${expected.join(', ') || 'none attached'}`);
    return null;
  }
  return byAsid ? { host, device: device.name, pasid: null, asid: id } : { host, device: device.name, pasid: id, asid: null };
}

function pageOf(cell: string, failures: string[]): number | null {
  if (!/^(0[xX][0-9a-fA-F]+|\d+)$/.test(cell)) {
    failures.push(`address: found "${cell}"; expected a byte address, hex (0x7f3a12345000) or decimal`);
    return null;
  }
  const page = BigInt(cell) >> PAGE_SHIFT;
  if (page > BigInt(Number.MAX_SAFE_INTEGER)) {
    failures.push(`address: found ${cell}; expected an address below 2^65`);
    return null;
  }
  return Number(page);
}

function permOf(cell: string, failures: string[]): number | null {
  switch (cell.toLowerCase()) {
    case 'r':
      return Perm.read;
    case 'w':
      return Perm.write;
    case 'rw':
    case 'wr':
      return Perm.read | Perm.write;
    default:
      break;
  }
  if (/^\d+$/.test(cell)) {
    const perm = Number(cell);
    if (perm >= 1 && perm <= 15 && (perm & (Perm.read | Perm.write)) !== 0) return perm;
  }
  failures.push(`perm: found "${cell}"; expected r, w, rw, or the Perm bits as a number with read (1) or write (2) set`);
  return null;
}
