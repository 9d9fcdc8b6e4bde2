/**
 * The batch frame codec. A frame is one msgpack value,
 *
 *     [type, version, sender, sequence, count, [record, ...]]
 *
 * self-contained: msgpackr records are defined inside each message and no
 * structure is shared between messages, so that a lost or reordered frame
 * never breaks the decoding of another. Decoding never throws: a bad frame is
 * a typed `FrameError` for the receiver to count and trace. A frame decodes
 * only when every record passes its type's check (record-check.ts): bytes
 * are the outside world, and model code sees only records that passed.
 */
import { Packr, Unpackr } from 'msgpackr';
import { ERRORS } from './errors.js';
import {
  FRAME_VERSION,
  FrameType,
  frameTypeName,
  type Frame,
  type FrameHeader,
  type FrameRecords,
  type FrameTypeName,
} from './frame-types.js';
import { NAME_LENGTH_MAX, recordsCheck } from './record-check.js';

/** Options written out so that a msgpackr upgrade cannot change the wire format silently. */
const PACK_OPTIONS = {
  useRecords: true,
  sequential: false,
  bundleStrings: false,
  moreTypes: false,
  structuredClone: false,
  useFloat32: 0,
  mapsAsObjects: true,
  int64AsType: 'number',
  largeBigIntToFloat: false,
} as const;

/** A frame stays well under NATS's 1 MB payload limit. */
export const FRAME_BYTES_MAX = 256 * 1024;

const packr = new Packr(PACK_OPTIONS);
const unpackr = new Unpackr(PACK_OPTIONS);

export type FrameErrorName =
  | 'frameTruncated'
  | 'frameUnknownType'
  | 'frameWrongVersion'
  | 'frameMalformed'
  | 'frameCountMismatch'
  | 'recordInvalid';

export type FrameError = {
  readonly error: FrameErrorName;
  readonly code: number;
  readonly message: string;
};

export type DecodeResult = { readonly ok: true; readonly frame: Frame } | { readonly ok: false; readonly error: FrameError };

function frameError(error: FrameErrorName, message: string): DecodeResult {
  return { ok: false, error: { error, code: ERRORS[error].code, message } };
}

export function frameEncode<Name extends FrameTypeName>(
  type: Name,
  sender: string,
  sequence: number,
  records: readonly FrameRecords[Name][],
): Uint8Array {
  const bytes: Uint8Array = packr.pack([FrameType[type], FRAME_VERSION, sender, sequence, records.length, records]);
  // A copy of msgpackr's view of its shared buffer: the bytes may sit in a
  // transport's outbound queue after the next pack.
  return bytes.slice();
}

/** The frame `frameEncode` would encode, as an object: what a bus that carries frames as objects hands over. */
export function frameObject<Name extends FrameTypeName>(type: Name, sender: string, sequence: number, records: readonly FrameRecords[Name][]): Frame<Name> {
  return { header: { type: FrameType[type], version: FRAME_VERSION, sender, sequence, count: records.length }, records };
}

export function frameDecode(bytes: Uint8Array): DecodeResult {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (error) {
    const incomplete = (error as { incomplete?: boolean }).incomplete === true;
    const reason = error instanceof Error ? error.message : String(error);
    return incomplete
      ? frameError('frameTruncated', `frame of ${bytes.length} bytes is truncated: ${reason}`)
      : frameError('frameMalformed', `frame of ${bytes.length} bytes is not msgpack: ${reason}`);
  }
  if (!Array.isArray(value) || value.length !== 6) {
    return frameError('frameMalformed', 'expected [type, version, sender, sequence, count, records]');
  }
  const [type, version, sender, sequence, count, records] = value as unknown[];
  if (typeof type !== 'number' || frameTypeName(type) === undefined) {
    return frameError('frameUnknownType', `frame type ${String(type)} is unknown`);
  }
  if (version !== FRAME_VERSION) {
    return frameError('frameWrongVersion', `frame version ${String(version)}, expected ${FRAME_VERSION}`);
  }
  if (typeof sender !== 'string' || typeof sequence !== 'number' || typeof count !== 'number' || !Array.isArray(records)) {
    return frameError('frameMalformed', 'frame header fields have the wrong types');
  }
  if (records.length !== count) {
    return frameError('frameCountMismatch', `frame header says ${count} records, found ${records.length}`);
  }
  if (sender.length > NAME_LENGTH_MAX || !Number.isSafeInteger(sequence) || sequence < 0) {
    return frameError('frameMalformed', 'frame sender or sequence out of range');
  }
  const name = frameTypeName(type) as FrameTypeName;
  const bad = recordsCheck(name, records);
  if (bad !== null) {
    return frameError('recordInvalid', `${name} record ${bad.index} of ${records.length}: ${bad.reason}`);
  }
  const header: FrameHeader = { type: type as FrameHeader['type'], version, sender, sequence, count };
  return { ok: true, frame: { header, records } };
}

/** The records of a decoded frame, when it is of the expected type. */
export function frameRecordsOf<Name extends FrameTypeName>(frame: Frame, type: Name): readonly FrameRecords[Name][] | null {
  return frame.header.type === FrameType[type] ? (frame.records as readonly FrameRecords[Name][]) : null;
}
