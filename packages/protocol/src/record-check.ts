/**
 * The record checks: what a record of each frame type must look like when it
 * arrives from outside the process, checked field by field before any model
 * code sees it, as a kernel checks an ioctl's argument. A record passes when
 * it is a plain object with exactly the fields of its type (no unknown field:
 * a `__proto__` key arrives as the unknown `__proto_`), each of the right
 * type and in range: ids and counts are safe non-negative integers, names
 * are strings of at most NAME_LENGTH_MAX characters, lists hold at most
 * LIST_LENGTH_MAX entries.
 *
 * Records handed over as objects inside one process are trusted and never
 * checked here: only `frameDecode` calls these checks. They are written by
 * hand rather than with a schema library: a check costs tens of
 * nanoseconds, a zod schema of the same record about 800, half as much
 * again as decoding the frame.
 */
import { PRG_INDEX_COUNT } from './codes.js';
import type { FrameTypeName } from './frame-types.js';

/** The longest name (device, space, owner, host, actor, subject) a record may carry. */
export const NAME_LENGTH_MAX = 256;
/** The most entries of a list inside one record (pages of a map, faults of a group). */
export const LIST_LENGTH_MAX = 65_536;
/** PASIDs are 20 bits. */
const PASID_MAX = 0xf_ffff;

type Field = { readonly expected: string; readonly test: (value: unknown) => boolean };
type Shape = Readonly<Record<string, Field>>;

/** Checks one record: null when it passes, otherwise what is wrong with it. */
export type RecordCheck = (value: unknown) => string | null;

const field = (expected: string, test: (value: unknown) => boolean): Field => ({ expected, test });

const whole = (max = Number.MAX_SAFE_INTEGER): Field =>
  field(max === Number.MAX_SAFE_INTEGER ? 'a non-negative integer' : `an integer from 0 to ${max}`, (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max,
  );
const nat = whole();
const time = field('a finite non-negative number', (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0);
const finite = field('a finite number', (value) => typeof value === 'number' && Number.isFinite(value));
const bool = field('a boolean', (value) => typeof value === 'boolean');
const name = field(`a string of at most ${NAME_LENGTH_MAX} characters`, (value) => typeof value === 'string' && value.length <= NAME_LENGTH_MAX);
const text = field('a string of at most 4096 characters', (value) => typeof value === 'string' && value.length <= 4096);
const pasid = whole(PASID_MAX);
const prgIndex = whole(PRG_INDEX_COUNT - 1);
const perm = whole(15);
const code = whole(2);
const stage = field('1 or 2', (value) => value === 1 || value === 2);

function nullable(inner: Field): Field {
  return field(`${inner.expected} or null`, (value) => value === null || inner.test(value));
}

function oneOf(...values: readonly (string | number)[]): Field {
  return field(`one of ${values.map((value) => JSON.stringify(value)).join(', ')}`, (value) => values.includes(value as string | number));
}

function listOf(inner: Field | RecordCheck, max = LIST_LENGTH_MAX): Field {
  const test = typeof inner === 'function' ? (value: unknown) => inner(value) === null : inner.test;
  const expected = typeof inner === 'function' ? 'records' : inner.expected;
  return field(`a list of at most ${max} entries, each ${expected}`, (value) => {
    if (!Array.isArray(value) || value.length > max) return false;
    for (const entry of value) if (!test(entry)) return false;
    return true;
  });
}

function dictionaryOf(inner: Field): Field {
  return field(`a map of at most ${LIST_LENGTH_MAX} names to ${inner.expected}`, (value) => {
    if (!isPlainObject(value)) return false;
    const keys = Object.keys(value);
    if (keys.length > LIST_LENGTH_MAX) return false;
    for (const key of keys) if (key.length > NAME_LENGTH_MAX || !inner.test(value[key])) return false;
    return true;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A short, bounded rendering of a bad value for a reason. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return value === null ? 'null' : Array.isArray(value) ? `a list of ${value.length}` : 'an object';
  return String(value);
}

/**
 * A record of exactly the fields of `required` and, when present, of
 * `optional`. The check that passes a good record is compiled once per
 * record type from the shape (as zod and ajv compile theirs): each field is
 * read by its name written out, which V8 serves from an inline cache, where
 * a loop over the names would make every read a dictionary lookup (about
 * ten times slower). The names are this file's own constants, never input.
 * Only a record that fails is walked again, to say why.
 */
function recordOf(required: Shape, optional: Shape = {}): RecordCheck {
  const requiredKeys = Object.keys(required);
  const optionalKeys = Object.keys(optional);
  const known = new Set([...requiredKeys, ...optionalKeys]);
  const tests = [...requiredKeys.map((key) => (required[key] as Field).test), ...optionalKeys.map((key) => (optional[key] as Field).test)];
  const read = (key: string): string => `value[${JSON.stringify(key)}]`;
  const body = [
    `let fields = ${requiredKeys.length};`,
    ...requiredKeys.map((key, index) => `if (!test${index}(${read(key)})) return false;`),
    ...optionalKeys.map(
      (key, index) => `if (${read(key)} !== undefined) { if (!test${requiredKeys.length + index}(${read(key)})) return false; fields++; }`,
    ),
    'let count = 0;',
    'for (const key in value) count++;',
    'return count === fields;',
  ].join('\n');
  const names = tests.map((_, index) => `test${index}`);
  const passes = new Function(...names, `return function recordPasses(value) {\n${body}\n};`)(...tests) as (value: Record<string, unknown>) => boolean;
  const reason = (value: Record<string, unknown>): string => {
    for (const key of requiredKeys) {
      const check = required[key] as Field;
      if (!Object.hasOwn(value, key)) return `field ${key} is missing, expected ${check.expected}`;
      if (!check.test(value[key])) return `field ${key}: expected ${check.expected}, got ${shown(value[key])}`;
    }
    for (const key of optionalKeys) {
      const check = optional[key] as Field;
      if (Object.hasOwn(value, key) && !check.test(value[key])) return `field ${key}: expected ${check.expected}, got ${shown(value[key])}`;
    }
    const unknown = Object.keys(value).find((key) => !known.has(key));
    return `unknown field ${JSON.stringify(unknown ?? '')}`;
  };
  return (value) => {
    if (!isPlainObject(value)) return `expected a record, got ${shown(value)}`;
    return passes(value) ? null : reason(value);
  };
}

/** A union told apart by its `discriminant` field: the record check of each value. */
function unionOf(discriminant: string, members: Readonly<Record<string, RecordCheck>>): RecordCheck {
  const kinds = Object.keys(members);
  const checks = new Map(Object.entries(members));
  return (value) => {
    if (!isPlainObject(value)) return `expected a record, got ${shown(value)}`;
    const kind = value[discriminant];
    const check = typeof kind === 'string' ? checks.get(kind) : undefined;
    if (check === undefined) return `field ${discriminant}: expected one of ${kinds.join(', ')}, got ${shown(kind)}`;
    return check(value);
  };
}

const kindIs = (kind: string): Shape => ({ kind: oneOf(kind) });
const opIs = (op: string): Shape => ({ op: oneOf(op) });

const pageRequest = recordOf({
  device: name,
  sid: nat,
  pasid: nullable(pasid),
  prgIndex,
  page: nat,
  perm,
  last: bool,
  stall: bool,
  group: nat,
  issuedNs: time,
});

const faultRecord = unionOf('kind', {
  pageRequest: recordOf(
    { ...kindIs('pageRequest'), iommu: name, sid: nat, pasid: nullable(pasid), prgIndex, page: nat, perm, last: bool, stall: bool, stage, group: nat, issuedNs: time },
    { iommuInNs: time, iommuOutNs: time, priQueueDepth: nat },
  ),
  overflow: recordOf({ ...kindIs('overflow'), iommu: name, queue: oneOf('pri', 'event'), dropped: nat }),
  unrecoverable: recordOf({
    ...kindIs('unrecoverable'),
    iommu: name,
    device: name,
    sid: nat,
    pasid: nullable(pasid),
    page: nat,
    perm,
    stage,
    reason: oneOf('noPri', 'priDisabled'),
    t: time,
  }),
});

const faultGroupEntry = recordOf({ page: nat, perm, last: bool });

const attachmentFields: Shape = { device: name, pasid: nullable(pasid), asid: nullable(nat), ioasid: name };

const controlOperation = unionOf('op', {
  map: recordOf({ ...opIs('map'), ioasid: name, pages: listOf(nat), perm }),
  unmap: recordOf({ ...opIs('unmap'), ioasid: name, pages: listOf(nat) }),
  attach: recordOf({ ...opIs('attach'), ...attachmentFields }),
  replace: recordOf({ ...opIs('replace'), ...attachmentFields }),
  detach: recordOf({ ...opIs('detach'), device: name, pasid: nullable(pasid), asid: nullable(nat) }),
  destroy: recordOf({ ...opIs('destroy'), ioasid: name }),
  unplug: recordOf({ ...opIs('unplug'), device: name }),
});

const controlOperationField = field('a control operation', (value) => controlOperation(value) === null);

const traceBase: Shape = { t: time, host: name };
const optionalTimes: Shape = { issuedNs: time, iommuInNs: time, iommuOutNs: time, priQueueDepth: nat, dispatchQueueDepth: nat };

const traceEvent = unionOf('kind', {
  groupRaised: recordOf({ ...kindIs('groupRaised'), ...traceBase, device: name, pasid: nullable(pasid), prgIndex, group: nat, requests: nat, outstanding: nat, credits: nat }),
  groupCompleted: recordOf({ ...kindIs('groupCompleted'), ...traceBase, device: name, pasid: nullable(pasid), group: nat, code, latencyNs: time }),
  responseUnexpected: recordOf({ ...kindIs('responseUnexpected'), ...traceBase, device: name, pasid: nullable(pasid), prgIndex, group: nat }),
  groupRetried: recordOf({ ...kindIs('groupRetried'), ...traceBase, device: name, group: nat }),
  groupAbandoned: recordOf({ ...kindIs('groupAbandoned'), ...traceBase, device: name, group: nat }),
  translationRetried: recordOf({ ...kindIs('translationRetried'), ...traceBase, device: name, pasid: nullable(pasid), page: nat, attempt: nat }),
  accessAbandoned: recordOf({
    ...kindIs('accessAbandoned'),
    ...traceBase,
    device: name,
    pasid: nullable(pasid),
    page: nat,
    accesses: nat,
    requests: nat,
    waitedNs: time,
  }),
  faultRouted: recordOf(
    { ...kindIs('faultRouted'), ...traceBase, device: name, pasid: nullable(pasid), stage, ioasid: name, cookie: nat, group: nat },
    optionalTimes,
  ),
  faultDelivered: recordOf(
    { ...kindIs('faultDelivered'), ...traceBase, owner: name, ioasid: name, device: name, cookie: nat, group: nat },
    { dispatchedNs: time, handlerQueueDepth: nat },
  ),
  groupAnswered: recordOf({ ...kindIs('groupAnswered'), ...traceBase, device: name, cookie: nat, group: nat, code, owner: name }),
  groupAutoResponded: recordOf({
    ...kindIs('groupAutoResponded'),
    ...traceBase,
    device: name,
    pasid: nullable(pasid),
    group: nat,
    cookie: nat,
    code,
    cause: oneOf('noHandler', 'iopfDisabled', 'stage2NoQueue', 'detach', 'replace', 'destroy', 'unplug', 'handlerError', 'responseTimeout'),
  }),
  responseRejected: recordOf({
    ...kindIs('responseRejected'),
    ...traceBase,
    cookie: nat,
    owner: name,
    cause: oneOf('unknownCookie', 'answeredCookie', 'failureCode', 'otherOwner'),
  }),
  attachmentChanged: recordOf({ ...kindIs('attachmentChanged'), ...traceBase, device: name, pasid: nullable(pasid), ioasid: nullable(name) }),
  recordDropped: recordOf(
    {
      ...kindIs('recordDropped'),
      ...traceBase,
      actor: name,
      cause: oneOf('priQueueFull', 'priQuota', 'partialDiscarded', 'stopMarker', 'badFrame'),
      device: name,
      group: nat,
    },
    { pasid: nullable(pasid), reason: text },
  ),
  faultUnrecoverable: recordOf({ ...kindIs('faultUnrecoverable'), ...traceBase, device: name, pasid: nullable(pasid), page: nat }),
  accessesCompleted: recordOf({ ...kindIs('accessesCompleted'), ...traceBase, device: name, count: nat }),
});

const processInstance: Shape = { service: name, shard: nat, shards: nat, instance: name };

const probability = field('a probability from 0 to 1', (value) => typeof value === 'number' && value >= 0 && value <= 1);
const cost = unionOf('dist', {
  fixed: recordOf({ dist: oneOf('fixed'), valueNs: time }),
  exp: recordOf({ dist: oneOf('exp'), meanNs: time }),
  uniform: recordOf({ dist: oneOf('uniform'), minNs: time, maxNs: time }),
});
const chaosRule = unionOf('kind', {
  message: recordOf({
    ...kindIs('message'),
    match: name,
    drop: probability,
    duplicate: probability,
    delay: field('a cost or null', (value) => value === null || cost(value) === null),
    reorderNs: time,
  }),
  partition: recordOf({
    ...kindIs('partition'),
    groups: field('two host globs', (value) => Array.isArray(value) && value.length === 2 && value.every((glob) => name.test(glob))),
    fromNs: time,
    toNs: time,
  }),
  crash: recordOf({ ...kindIs('crash'), actor: name, host: name, atNs: time, restartAfterNs: time }),
  natsKill: recordOf({ ...kindIs('natsKill'), node: nat, atNs: time, restartAfterNs: time }),
});
const chaosCounters = recordOf({ actions: dictionaryOf(nat), perRule: listOf(nat) });
const busCounters = recordOf({ published: nat, delivered: nat, dropped: nat, slowConsumers: nat, handlerErrors: nat });

const runControl = unionOf('kind', {
  ready: recordOf({
    ...kindIs('ready'),
    ...processInstance,
    hosts: listOf(name),
    topology: name,
    topologyHash: name,
    version: name,
    pid: nat,
    claim: nullable(name),
  }),
  clockProbe: recordOf({ ...kindIs('clockProbe'), probe: nat, t0Ms: finite }),
  clockReply: recordOf({ ...kindIs('clockReply'), ...processInstance, probe: nat, t0Ms: finite, t1Ms: finite, t2Ms: finite }),
  prepare: recordOf({
    ...kindIs('prepare'),
    claim: name,
    instances: listOf(name),
    clockOffsetsMs: dictionaryOf(finite),
    originMs: finite,
    seed: nat,
    time: oneOf('skip', 'real'),
    chaos: listOf(chaosRule),
    delivery: oneOf('at-most-once', 'at-least-once'),
  }),
  prepared: recordOf({ ...kindIs('prepared'), ...processInstance }),
  start: recordOf({ ...kindIs('start'), claim: name }),
  unplug: recordOf({ ...kindIs('unplug'), claim: name, host: name, device: name }),
  progress: recordOf({ ...kindIs('progress'), ...processInstance, workloadsDone: bool, devicesIdle: bool, accessesEnded: nat }),
  heal: recordOf({ ...kindIs('heal'), claim: name }),
  finish: recordOf({ ...kindIs('finish'), claim: name }),
  release: recordOf({ ...kindIs('release'), claim: name }),
  released: recordOf({ ...kindIs('released'), ...processInstance, rearmed: bool }),
  failed: recordOf({ ...kindIs('failed'), ...processInstance, errors: listOf(text) }),
  finished: recordOf(
    {
      ...kindIs('finished'),
      ...processInstance,
      deviceStates: dictionaryOf(name),
      errors: listOf(text),
      bus: field('bus counters', (value) => busCounters(value) === null),
      chaos: field('chaos counters', (value) => chaosCounters(value) === null),
    },
    { framesLost: listOf(text) },
  ),
});

const iommuCommand = unionOf('kind', {
  pageResponse: recordOf({ ...kindIs('pageResponse'), sid: nat, pasid: nullable(pasid), prgIndex, stall: bool, code, group: nat, last: bool }),
  map: recordOf({ ...kindIs('map'), ioasid: name, pages: listOf(nat), perm }),
  unmap: recordOf({ ...kindIs('unmap'), ioasid: name, pages: listOf(nat) }),
  attach: recordOf({ ...kindIs('attach'), sid: nat, pasid: nullable(pasid), ioasid: nullable(name) }),
  destroy: recordOf({ ...kindIs('destroy'), ioasid: name }),
  unplug: recordOf({ ...kindIs('unplug'), sid: nat }),
});

const controlReplyOk = recordOf({ ok: field('true', (value) => value === true) });
const controlReplyError = recordOf({ ok: field('false', (value) => value === false), error: name, message: text });
const controlReply: RecordCheck = (value) => (isPlainObject(value) && value['ok'] === true ? controlReplyOk(value) : controlReplyError(value));

/** The check of each frame type's records. */
export const RECORD_CHECKS: { readonly [Name in FrameTypeName]: RecordCheck } = {
  translationRequest: recordOf({ device: name, sid: nat, pasid: nullable(pasid), page: nat, perm }),
  translationCompletion: recordOf({ pasid: nullable(pasid), page: nat, perm, ok: bool }),
  pageRequest,
  faultRecord,
  faultGroup: recordOf(
    {
      cookie: nat,
      ioasid: name,
      device: name,
      pasid: nullable(nat),
      stage,
      faults: listOf(faultGroupEntry),
      group: nat,
      issuedNs: time,
    },
    { dispatchedNs: time },
  ),
  pageResponse: recordOf({ cookie: nat, code, owner: name, handlerFailed: bool }),
  iommuCommand,
  prgResponse: recordOf({ pasid: nullable(pasid), prgIndex, code, group: nat }),
  unrecoverableFault: faultRecord,
  controlRequest: recordOf({ owner: name, operation: controlOperationField }),
  controlReply,
  trace: traceEvent,
  metrics: recordOf({ host: name, actor: name, t: time, counters: dictionaryOf(finite) }),
  runControl,
  atcInvalidation: recordOf({ pages: nullable(listOf(nat)) }),
};

/** The first record of `records` that fails its type's check: its index and why; null when all pass. */
export function recordsCheck<Name extends FrameTypeName>(
  type: Name,
  records: readonly unknown[],
): { readonly index: number; readonly reason: string } | null {
  const check = RECORD_CHECKS[type];
  for (let index = 0; index < records.length; index++) {
    const reason = check(records[index]);
    if (reason !== null) return { index, reason };
  }
  return null;
}

