/**
 * Bad frames for the frame fuzz tests: for each frame type a valid record,
 * and a seeded stream of frames that no receiver may take: records mutated
 * (nulls, wrong types, huge and negative integers, a field missing, an extra
 * field, a `__proto__` key), garbage bytes, truncated frames, frames of
 * another type or version. Every frame made here is refused by
 * `frameDecode` or by the type its subject expects.
 */
import { FRAME_VERSION, FrameType, frameEncode, type FrameRecords, type FrameTypeName } from '@ioasim/protocol';
import { Packr } from 'msgpackr';

/** A valid record of each type, with only required fields, so that removing any field makes it invalid. */
export const SAMPLES: { readonly [Name in FrameTypeName]: FrameRecords[Name] } = {
  translationRequest: { device: 'nic0', sid: 0x100, pasid: 1, page: 7, perm: 1 },
  translationCompletion: { pasid: 1, page: 7, perm: 1, ok: true },
  pageRequest: { device: 'nic0', sid: 0x100, pasid: 1, prgIndex: 3, page: 7, perm: 1, last: true, stall: false, group: 1, issuedNs: 10 },
  faultRecord: { kind: 'pageRequest', iommu: 'smmu0', sid: 0x100, pasid: 1, prgIndex: 3, page: 7, perm: 1, last: true, stall: false, stage: 1, group: 1, issuedNs: 10 },
  faultGroup: { cookie: 1, ioasid: 'gpa', device: 'nic0', pasid: 1, stage: 1, faults: [{ page: 7, perm: 1, last: true }], group: 1, issuedNs: 10 },
  pageResponse: { cookie: 1, code: 0, owner: 'vm0', handlerFailed: false },
  iommuCommand: { kind: 'map', ioasid: 'gpa', pages: [7], perm: 3 },
  prgResponse: { pasid: 1, prgIndex: 3, code: 0, group: 1 },
  unrecoverableFault: { kind: 'unrecoverable', iommu: 'smmu0', device: 'nic0', sid: 0x100, pasid: 1, page: 7, perm: 1, stage: 1, reason: 'noPri', t: 10 },
  controlRequest: { owner: 'vm0', operation: { op: 'destroy', ioasid: 'gpa' } },
  controlReply: { ok: false, error: 'notFound', message: 'no such space' },
  trace: { kind: 'groupRetried', t: 10, host: 'h0', device: 'nic0', group: 1 },
  metrics: { host: 'h0', actor: 'iommu/smmu0', t: 10, counters: { raised: 1 } },
  runControl: { kind: 'start', claim: 'c1' },
  atcInvalidation: { pages: [7] },
};

/** Fields whose value may be null: a null there is not a mutation. */
const NULLABLE = new Set(['pasid', 'asid', 'ioasid', 'claim', 'pages']);
/** Fields that hold ids or counts (never times): negative, fractional and huge integers are out of range there. */
const IDS = new Set(['sid', 'pasid', 'prgIndex', 'page', 'perm', 'group', 'cookie', 'code']);

const HUGE = [-1, 1.5, 2 ** 53 + 2, 2 ** 64, Number.NaN, Number.POSITIVE_INFINITY] as const;
const WRONG_FOR_NUMBER = ['7', true, [[]], { a: [[]] }, Number.NaN, Number.NEGATIVE_INFINITY] as const;
const WRONG_FOR_STRING = [7, true, [[]], { a: [[]] }, 'x'.repeat(10_000)] as const;
const WRONG_FOR_BOOLEAN = [0, 'true', [[]]] as const;
const WRONG_FOR_OBJECT = ['x', 7, [[]]] as const;

/** A seeded random source (mulberry32): the fuzz replays. */
export function randomOf(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function wrongFor(random: () => number, key: string, value: unknown): unknown {
  if (typeof value === 'number') return IDS.has(key) && random() < 0.5 ? pick(random, HUGE) : pick(random, WRONG_FOR_NUMBER);
  if (typeof value === 'string') return pick(random, WRONG_FOR_STRING);
  if (typeof value === 'boolean') return random() < 0.3 ? null : pick(random, WRONG_FOR_BOOLEAN);
  return pick(random, WRONG_FOR_OBJECT);
}

/** One mutation of a valid record that makes it invalid. */
export function recordMutate(random: () => number, sample: object): { readonly record: unknown; readonly what: string } {
  const fields = Object.keys(sample);
  const key = pick(random, fields);
  const value = (sample as Record<string, unknown>)[key];
  switch (Math.floor(random() * 7)) {
    case 0:
      return { record: pick(random, [null, 7, 'x', [], true]), what: 'not a record' };
    case 1: {
      const copy: Record<string, unknown> = { ...sample };
      delete copy[key];
      return { record: copy, what: `${key} missing` };
    }
    case 2:
      return { record: { ...sample, extra: 1 }, what: 'an extra field' };
    case 3:
      return { record: JSON.parse(`{"__proto__": {"owner": "vm1"}, ${JSON.stringify(sample).slice(1)}`) as unknown, what: 'a __proto__ key' };
    case 4:
      if (!NULLABLE.has(key)) return { record: { ...sample, [key]: null }, what: `${key} null` };
      return { record: { ...sample, [key]: [[]] }, what: `${key} a list` };
    default:
      return { record: { ...sample, [key]: wrongFor(random, key, value) }, what: `${key} of the wrong type or out of range` };
  }
}

const packr = new Packr({ useRecords: true, mapsAsObjects: true, int64AsType: 'number' });

/** A frame of `type` whose records are `records`, valid or not, as bytes. */
export function frameRaw(type: FrameTypeName, records: readonly unknown[], version: number = FRAME_VERSION): Uint8Array {
  return packr.pack([FrameType[type], version, 'fuzz', 1, records.length, records]).slice();
}

/**
 * One bad frame for a subject whose receivers expect `type`: most often a
 * valid record beside a mutated one (the whole frame is refused), else
 * garbage, a truncated frame, a frame of another type or of another version.
 */
export function frameBad(random: () => number, type: FrameTypeName): { readonly bytes: Uint8Array; readonly what: string } {
  const sample = SAMPLES[type];
  const roll = random();
  if (roll < 0.7) {
    const { record, what } = recordMutate(random, sample);
    return { bytes: frameRaw(type, random() < 0.5 ? [record] : [sample, record]), what: `${type}: ${what}` };
  }
  if (roll < 0.78) {
    const bytes = new Uint8Array(1 + Math.floor(random() * 64));
    for (let index = 0; index < bytes.length; index++) bytes[index] = Math.floor(random() * 256);
    return { bytes, what: 'garbage bytes' };
  }
  if (roll < 0.86) {
    const whole = frameEncode(type, 'fuzz', 1, [sample]);
    return { bytes: whole.slice(0, Math.max(1, Math.floor(whole.length * random()))), what: 'a truncated frame' };
  }
  if (roll < 0.93) {
    const others = (Object.keys(SAMPLES) as FrameTypeName[]).filter((other) => other !== type && other !== 'unrecoverableFault' && other !== 'faultRecord');
    const other = pick(random, others);
    return { bytes: frameEncode(other, 'fuzz', 1, [SAMPLES[other]] as never), what: `a ${other} frame` };
  }
  return { bytes: frameRaw(type, [sample], FRAME_VERSION + 1), what: 'another version' };
}
