/**
 * Every subject ioasim publishes on is built here and nowhere else.
 *
 *     ioasim.<run>.<host>.iommu.<iommu>.ats        device  -> iommu
 *     ioasim.<run>.<host>.iommu.<iommu>.pri        device  -> iommu
 *     ioasim.<run>.<host>.iommu.<iommu>.cmd        manager -> iommu
 *     ioasim.<run>.<host>.mgr.faults               iommu   -> manager
 *     ioasim.<run>.<host>.mgr.ctl                  frontend-> manager (request/reply)
 *     ioasim.<run>.<host>.mgr.resp                 handler -> manager
 *     ioasim.<run>.<host>.ioasid.<ioasid>.faults   manager -> handler
 *     ioasim.<run>.<host>.owner.<owner>.events     manager -> frontend  unrecoverable faults (event queue)
 *     ioasim.<run>.<host>.dev.<device>.ats         iommu   -> device
 *     ioasim.<run>.<host>.dev.<device>.prgr        iommu   -> device
 *     ioasim.<run>.<host>.dev.<device>.inv         iommu   -> device    ATS invalidations
 *     ioasim.<run>.trace.<host>                    all     -> runner
 *     ioasim.<run>.metrics.<host>                  all     -> runner
 *     ioasim.<run>.ack.<endpoint>                  receiver-> sender  at-least-once acknowledgements
 *     ioasim.<run>.ctl.announce                    serve   -> coordinator (run control)
 *     ioasim.<run>.ctl.command                     coordinator -> serve (run control)
 *
 * A name is one subject token: letters, digits, `_` and `-` only, so that no
 * name can smuggle a `.`, `*` or `>` into a subject.
 */

export const SUBJECT_ROOT = 'ioasim';

const TOKEN = /^[A-Za-z0-9_-]+$/;

export function isSubjectToken(name: string): boolean {
  return TOKEN.test(name);
}

/** The link a subject's messages cross, for modeled latency. */
export type Hop = 'deviceIommu' | 'iommuManager' | 'managerHandler' | 'observer' | 'control';

export type SubjectKind =
  | 'iommuAts'
  | 'iommuPri'
  | 'iommuCmd'
  | 'mgrFaults'
  | 'mgrCtl'
  | 'mgrResp'
  | 'ioasidFaults'
  | 'ownerEvents'
  | 'devAts'
  | 'devPrgr'
  | 'devInv'
  | 'trace'
  | 'metrics';

export const SUBJECT_HOPS: Readonly<Record<SubjectKind, Hop>> = {
  iommuAts: 'deviceIommu',
  iommuPri: 'deviceIommu',
  devAts: 'deviceIommu',
  devPrgr: 'deviceIommu',
  devInv: 'deviceIommu',
  iommuCmd: 'iommuManager',
  mgrFaults: 'iommuManager',
  mgrResp: 'managerHandler',
  ioasidFaults: 'managerHandler',
  ownerEvents: 'managerHandler',
  mgrCtl: 'managerHandler',
  trace: 'observer',
  metrics: 'observer',
};

/** Subjects of one run on one host. `*` may stand for any token to make a pattern. */
export function hostSubjects(run: string, host: string) {
  const base = `${SUBJECT_ROOT}.${run}.${host}`;
  // The host-wide subjects, made once: one string each, hashed once by every Map they are looked up in.
  const managerFaults = `${base}.mgr.faults`;
  const managerControl = `${base}.mgr.ctl`;
  const managerResponses = `${base}.mgr.resp`;
  return {
    iommuAts: (iommu: string) => `${base}.iommu.${iommu}.ats`,
    iommuPri: (iommu: string) => `${base}.iommu.${iommu}.pri`,
    iommuCmd: remembered((iommu: string) => `${base}.iommu.${iommu}.cmd`),
    mgrFaults: () => managerFaults,
    mgrCtl: () => managerControl,
    mgrResp: () => managerResponses,
    ioasidFaults: remembered((ioasid: string) => `${base}.ioasid.${ioasid}.faults`),
    ownerEvents: (owner: string) => `${base}.owner.${owner}.events`,
    devAts: remembered((device: string) => `${base}.dev.${device}.ats`),
    devPrgr: remembered((device: string) => `${base}.dev.${device}.prgr`),
    devInv: (device: string) => `${base}.dev.${device}.inv`,
  } as const;
}

/**
 * `build`, remembering each subject it made: a subject built per record
 * would be a new string each time, hashed afresh by every Map it is looked
 * up in (outbox batches, bus routes, message counts). Made at first use, so
 * an idle device costs nothing.
 */
function remembered(build: (name: string) => string): (name: string) => string {
  const subjects = new Map<string, string>();
  return (name) => {
    let subject = subjects.get(name);
    if (subject === undefined) {
      subject = build(name);
      subjects.set(name, subject);
    }
    return subject;
  };
}
export type HostSubjects = ReturnType<typeof hostSubjects>;

export function traceSubject(run: string, host: string): string {
  return `${SUBJECT_ROOT}.${run}.trace.${host}`;
}

export function metricsSubject(run: string, host: string): string {
  return `${SUBJECT_ROOT}.${run}.metrics.${host}`;
}

/** The run-control subjects of a distributed run (see run-control.ts). */
export function controlSubjects(run: string) {
  const base = `${SUBJECT_ROOT}.${run}.ctl`;
  return {
    /** Service processes -> the coordinator: ready, prepared, progress, finished. */
    announce: () => `${base}.announce`,
    /** The coordinator -> every service process: prepare, start, unplug, finish. */
    command: () => `${base}.command`,
  } as const;
}

/** Where an at-least-once endpoint hears the acknowledgements of what it sent: `ioasim.<run>.ack.<endpoint>`. */
export function acknowledgementSubject(run: string, endpoint: string): string {
  return `${SUBJECT_ROOT}.${run}.ack.${endpoint}`;
}

/** Every subject of a run: `ioasim.<run>.>`. */
export function runPattern(run: string): string {
  return `${SUBJECT_ROOT}.${run}.>`;
}

export type ParsedSubject = {
  readonly run: string;
  readonly host: string;
  readonly kind: SubjectKind;
  /** The iommu, ioasid or device the subject names; null for host-wide subjects. */
  readonly name: string | null;
};

/** The inverse of the builders above; null for a subject ioasim does not publish. */
export function subjectParse(subject: string): ParsedSubject | null {
  const tokens = subject.split('.');
  if (tokens[0] !== SUBJECT_ROOT || tokens.length < 4) return null;
  const run = tokens[1] as string;
  if (tokens[2] === 'trace' || tokens[2] === 'metrics') {
    if (tokens.length !== 4) return null;
    return { run, host: tokens[3] as string, kind: tokens[2], name: null };
  }
  const host = tokens[2] as string;
  const rest = tokens.slice(3).join('.');
  const single = (kind: SubjectKind): ParsedSubject => ({ run, host, kind, name: null });
  const named = (kind: SubjectKind): ParsedSubject => ({ run, host, kind, name: tokens[4] as string });
  if (tokens.length === 5) {
    if (rest === 'mgr.faults') return single('mgrFaults');
    if (rest === 'mgr.ctl') return single('mgrCtl');
    if (rest === 'mgr.resp') return single('mgrResp');
    return null;
  }
  if (tokens.length !== 6) return null;
  const [scope, , leaf] = tokens.slice(3);
  if (scope === 'iommu' && leaf === 'ats') return named('iommuAts');
  if (scope === 'iommu' && leaf === 'pri') return named('iommuPri');
  if (scope === 'iommu' && leaf === 'cmd') return named('iommuCmd');
  if (scope === 'ioasid' && leaf === 'faults') return named('ioasidFaults');
  if (scope === 'owner' && leaf === 'events') return named('ownerEvents');
  if (scope === 'dev' && leaf === 'ats') return named('devAts');
  if (scope === 'dev' && leaf === 'prgr') return named('devPrgr');
  if (scope === 'dev' && leaf === 'inv') return named('devInv');
  return null;
}

/**
 * The kinds of the subjects seen lately. A message's kind is read three
 * times on its way (the kind its sender counts it under, the link of its
 * latency, the kind its receiver counts it under), and a sender uses the
 * same few subjects over and over: a lookup of a string whose hash V8 keeps
 * costs a fraction of reading it again. Cleared when full, so that a fleet's
 * million subjects cannot grow it without bound.
 */
const subjectKinds = new Map<string, SubjectKind | null>();
const DOT = '.'.charCodeAt(0);
const SUBJECT_KINDS_MAX = 65_536;

/**
 * `subjectParse(subject)?.kind ?? null`, read in place: no token array, no
 * parsed object. It runs once per message (the link of a message's latency,
 * the kind a message is counted under), so it allocates nothing but its
 * entry in the table of recent subjects.
 */
export function subjectKind(subject: string): SubjectKind | null {
  // Not one of ioasim's (a reply inbox, each a new subject): no kind, and no entry in the table.
  if (!subject.startsWith(SUBJECT_ROOT) || subject.charCodeAt(SUBJECT_ROOT.length) !== DOT) return null;
  const known = subjectKinds.get(subject);
  if (known !== undefined) return known;
  if (subjectKinds.size >= SUBJECT_KINDS_MAX) subjectKinds.clear();
  const kind = subjectKindRead(subject);
  subjectKinds.set(subject, kind);
  return kind;
}

function subjectKindRead(subject: string): SubjectKind | null {
  const dot0 = subject.indexOf('.');
  if (!tokenIs(subject, 0, dot0, SUBJECT_ROOT)) return null;
  const dot1 = subject.indexOf('.', dot0 + 1);
  if (dot1 < 0) return null;
  const dot2 = subject.indexOf('.', dot1 + 1);
  if (dot2 < 0) return null;
  const dot3 = subject.indexOf('.', dot2 + 1);
  if (tokenIs(subject, dot1 + 1, dot2, 'trace')) return dot3 < 0 ? 'trace' : null;
  if (tokenIs(subject, dot1 + 1, dot2, 'metrics')) return dot3 < 0 ? 'metrics' : null;
  if (dot3 < 0) return null;
  const dot4 = subject.indexOf('.', dot3 + 1);
  const end = subject.length;
  if (dot4 < 0) {
    if (!tokenIs(subject, dot2 + 1, dot3, 'mgr')) return null;
    if (tokenIs(subject, dot3 + 1, end, 'faults')) return 'mgrFaults';
    if (tokenIs(subject, dot3 + 1, end, 'ctl')) return 'mgrCtl';
    if (tokenIs(subject, dot3 + 1, end, 'resp')) return 'mgrResp';
    return null;
  }
  if (subject.indexOf('.', dot4 + 1) >= 0) return null;
  if (tokenIs(subject, dot2 + 1, dot3, 'iommu')) {
    if (tokenIs(subject, dot4 + 1, end, 'ats')) return 'iommuAts';
    if (tokenIs(subject, dot4 + 1, end, 'pri')) return 'iommuPri';
    if (tokenIs(subject, dot4 + 1, end, 'cmd')) return 'iommuCmd';
    return null;
  }
  if (tokenIs(subject, dot2 + 1, dot3, 'dev')) {
    if (tokenIs(subject, dot4 + 1, end, 'ats')) return 'devAts';
    if (tokenIs(subject, dot4 + 1, end, 'prgr')) return 'devPrgr';
    if (tokenIs(subject, dot4 + 1, end, 'inv')) return 'devInv';
    return null;
  }
  if (tokenIs(subject, dot2 + 1, dot3, 'ioasid')) return tokenIs(subject, dot4 + 1, end, 'faults') ? 'ioasidFaults' : null;
  if (tokenIs(subject, dot2 + 1, dot3, 'owner')) return tokenIs(subject, dot4 + 1, end, 'events') ? 'ownerEvents' : null;
  return null;
}

/** Whether subject[start, end) is `token`; `end` -1 means no such token. */
function tokenIs(subject: string, start: number, end: number, token: string): boolean {
  return end - start === token.length && subject.startsWith(token, start);
}

/** The hop of a subject (for link latency); subjects ioasim does not build cross no modeled link. */
export function subjectHop(subject: string): Hop {
  const kind = subjectKind(subject);
  return kind === null ? 'control' : SUBJECT_HOPS[kind];
}
