import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import {
  ERRORS,
  FRAME_VERSION,
  FrameType,
  Perm,
  ResponseCode,
  frameDecode,
  frameEncode,
  frameRecordsOf,
  type FrameErrorName,
  type FrameRecords,
  type FrameTypeName,
  type IommuCommand,
  type IommuReport,
} from '@ioasim/protocol';

/** One realistic record of every frame type: `satisfies` fails to compile when a type is missing. */
const RECORDS = {
  translationRequest: { device: 'nic0', sid: 0x0100, pasid: 3, page: 0x7f_0000_1234, perm: Perm.read },
  translationCompletion: { pasid: null, page: 0x1234, perm: Perm.read | Perm.write, ok: false },
  pageRequest: {
    device: 'nic0',
    sid: 0x0100,
    pasid: 3,
    prgIndex: 511,
    page: 0x4_0000,
    perm: Perm.write,
    last: true,
    stall: false,
    group: 17,
    issuedNs: 12_345_678_901_234,
  },
  faultRecord: {
    kind: 'pageRequest',
    iommu: 'smmu0',
    sid: 0x0100,
    pasid: null,
    prgIndex: 4,
    page: 0x4_0001,
    perm: Perm.read | Perm.exec,
    last: false,
    stall: true,
    stage: 2,
    group: 18,
    issuedNs: 1_500,
  },
  faultGroup: {
    cookie: 90_001,
    ioasid: 'guest0-s1',
    device: 'nic0',
    pasid: 7,
    stage: 1,
    faults: [
      { page: 0x10, perm: Perm.read, last: false },
      { page: 0x11, perm: Perm.read | Perm.write, last: true },
    ],
    group: 19,
    issuedNs: 2_000_000,
  },
  pageResponse: { cookie: 90_001, code: ResponseCode.success, owner: 'vm0', handlerFailed: false },
  iommuCommand: {
    kind: 'pageResponse',
    sid: 0x0100,
    pasid: 7,
    prgIndex: 4,
    stall: false,
    code: ResponseCode.invalid,
    group: 19,
    last: true,
  },
  prgResponse: { pasid: null, prgIndex: 4, code: ResponseCode.failure, group: 19 },
  unrecoverableFault: {
    kind: 'unrecoverable',
    iommu: 'smmu0',
    device: 'disk0',
    sid: 0x0200,
    pasid: null,
    page: 0x99,
    perm: Perm.write,
    stage: 1,
    reason: 'noPri',
    t: 77_000,
  },
  controlRequest: {
    owner: 'vm0',
    operation: { op: 'attach', device: 'nic0', pasid: 3, asid: null, ioasid: 'guest0-s1' },
  },
  controlReply: { ok: false, error: 'notOwner', message: "ioasid 'gpa1' belongs to vm1, not vm0" },
  trace: {
    kind: 'faultRouted',
    t: 3_000_123,
    host: 'h0',
    device: 'nic0',
    pasid: 7,
    stage: 1,
    ioasid: 'guest0-s1',
    cookie: 90_001,
    group: 19,
  },
  metrics: {
    host: 'h0',
    actor: 'iommu/smmu0',
    t: 9_000_000_000,
    counters: { priQueued: 1200, priDropped: 3, eventQueued: 0 },
  },
  runControl: {
    kind: 'finished',
    service: 'device',
    shard: 1,
    shards: 2,
    instance: '5f0c2a9e41b7',
    deviceStates: { 'h1/nic0': 'active' },
    errors: [],
    bus: { published: 10, delivered: 9, dropped: 0, slowConsumers: 0, handlerErrors: 0 },
    chaos: { actions: { drop: 2, reorder: 7 }, perRule: [9, 0] },
  },
  atcInvalidation: { pages: [0x10, 0x11] },
} as const satisfies { readonly [Name in FrameTypeName]: FrameRecords[Name] };

const FRAME_TYPE_NAMES = Object.keys(FrameType) as FrameTypeName[];

function encodeOne<Name extends FrameTypeName>(type: Name, sequence = 1): Uint8Array {
  return frameEncode(type, 'h0/test', sequence, [RECORDS[type] as FrameRecords[Name]]);
}

/** A frame built by hand, to say what the encoder would never write. */
function handmade(value: unknown): Uint8Array {
  const packr = new Packr({ useRecords: false, structuredClone: false, mapsAsObjects: true, useFloat32: 0 });
  return packr.pack(value);
}

function decodeError(bytes: Uint8Array): FrameErrorName | 'ok' {
  const result = frameDecode(bytes);
  return result.ok ? 'ok' : result.error.error;
}

describe('frame codec', () => {
  it('has a sample record for every frame type', () => {
    expect(Object.keys(RECORDS).sort()).toEqual([...FRAME_TYPE_NAMES].sort());
  });

  it.each(FRAME_TYPE_NAMES)('round-trips a %s frame with deep equality', (type) => {
    const records = [RECORDS[type], RECORDS[type]];
    const result = frameDecode(frameEncode(type, 'h0/iommu/smmu0', 42, records as never));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.frame.header).toEqual({
      type: FrameType[type],
      version: FRAME_VERSION,
      sender: 'h0/iommu/smmu0',
      sequence: 42,
      count: 2,
    });
    expect(result.frame.records).toEqual(records);
    expect(frameRecordsOf(result.frame, type)).toEqual(records);
  });

  it('round-trips every kind of iommu command in one frame', () => {
    const commands: IommuCommand[] = [
      RECORDS.iommuCommand,
      { kind: 'map', ioasid: 'gpa0', pages: [1, 2, 3], perm: Perm.read | Perm.write },
      { kind: 'unmap', ioasid: 'gpa0', pages: [] },
      { kind: 'attach', sid: 0x0100, pasid: null, ioasid: null },
      { kind: 'destroy', ioasid: 'gpa0' },
      { kind: 'unplug', sid: 0x0100 },
    ];
    const result = frameDecode(frameEncode('iommuCommand', 'h0/mgr', 1, commands));
    expect(result.ok && result.frame.records).toEqual(commands);
  });

  it('round-trips every kind of iommu report in one frame', () => {
    const reports: IommuReport[] = [
      RECORDS.faultRecord,
      { kind: 'overflow', iommu: 'smmu0', queue: 'pri', dropped: 12 },
      RECORDS.unrecoverableFault,
    ];
    const result = frameDecode(frameEncode('faultRecord', 'h0/iommu/smmu0', 1, reports));
    expect(result.ok && result.frame.records).toEqual(reports);
  });

  it('round-trips an empty frame', () => {
    const result = frameDecode(frameEncode('prgResponse', 'h0/iommu/smmu0', 1, []));
    expect(result.ok && result.frame.records).toEqual([]);
  });

  it('gives no records of another type', () => {
    const result = frameDecode(encodeOne('pageResponse'));
    if (!result.ok) expect.fail(result.error.message);
    expect(frameRecordsOf(result.frame, 'prgResponse')).toBeNull();
  });

  it('answers frameTruncated for every prefix of a frame', () => {
    const bytes = frameEncode('faultGroup', 'h0/mgr', 3, [RECORDS.faultGroup, RECORDS.faultGroup]);
    for (let length = 0; length < bytes.length; length++) {
      expect(decodeError(bytes.subarray(0, length)), `first ${length} of ${bytes.length} bytes`).toBe('frameTruncated');
    }
  });

  it('answers frameUnknownType for a type this build does not know', () => {
    expect(decodeError(handmade([99, FRAME_VERSION, 'h0/x', 1, 0, []]))).toBe('frameUnknownType');
    expect(decodeError(handmade(['pageResponse', FRAME_VERSION, 'h0/x', 1, 0, []]))).toBe('frameUnknownType');
  });

  it('answers frameWrongVersion for a version this build does not read', () => {
    const bytes = handmade([FrameType.pageResponse, FRAME_VERSION + 1, 'h0/x', 1, 1, [RECORDS.pageResponse]]);
    expect(decodeError(bytes)).toBe('frameWrongVersion');
  });

  it('answers frameCountMismatch when the header count differs from the records', () => {
    const bytes = handmade([FrameType.pageResponse, FRAME_VERSION, 'h0/x', 1, 3, [RECORDS.pageResponse]]);
    expect(decodeError(bytes)).toBe('frameCountMismatch');
  });

  it('answers frameMalformed for msgpack that is not a frame', () => {
    expect(decodeError(handmade({ type: 6 }))).toBe('frameMalformed');
    expect(decodeError(handmade([FrameType.pageResponse, FRAME_VERSION, 7, 1, 0, []]))).toBe('frameMalformed');
    expect(decodeError(handmade([1, 2, 3]))).toBe('frameMalformed');
  });

  it('gives each error its registered code', () => {
    const result = frameDecode(new Uint8Array(0));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(ERRORS[result.error.error].code);
    expect(result.error.message).toContain('0 bytes');
  });

  it('never throws on garbage bytes, and answers a typed error', () => {
    let state = 0x9e3779b9;
    const next = (): number => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state;
    };
    const names = Object.keys(ERRORS);
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = Uint8Array.from({ length: 1 + (next() % 64) }, () => next() & 0xff);
      let result: ReturnType<typeof frameDecode> | undefined;
      expect(() => (result = frameDecode(bytes)), `trial ${trial}`).not.toThrow();
      expect(result?.ok, `trial ${trial}`).toBe(false);
      if (result !== undefined && !result.ok) expect(names).toContain(result.error.error);
    }
  });

  it('never throws on a frame with flipped bytes', () => {
    const original = frameEncode('faultRecord', 'h0/iommu/smmu0', 9, [RECORDS.faultRecord, RECORDS.faultRecord]);
    for (let position = 0; position < original.length; position++) {
      for (const value of [0x00, 0xc1, 0xd4, 0xff]) {
        const bytes = original.slice();
        bytes[position] = value;
        expect(() => frameDecode(bytes), `byte ${position} = ${value}`).not.toThrow();
      }
    }
  });

  it('decodes each frame on its own, in any order: frames share no structure', () => {
    const frames = FRAME_TYPE_NAMES.map((type, index) => ({ type, bytes: encodeOne(type, index + 1) }));
    for (const { type, bytes } of [...frames].reverse()) {
      const result = frameDecode(bytes);
      expect(result.ok && result.frame.records, type).toEqual([RECORDS[type]]);
    }
    // Frame B, then frame A, then B again.
    const first = encodeOne('faultRecord', 1);
    const second = encodeOne('faultRecord', 2);
    for (const bytes of [second, first, second]) expect(frameDecode(bytes).ok).toBe(true);
  });

  it('returns bytes that later encodes do not overwrite', () => {
    const first = encodeOne('pageResponse', 1);
    const copy = first.slice();
    for (let index = 0; index < 10; index++) encodeOne('faultGroup', index);
    expect(first).toEqual(copy);
  });
});
