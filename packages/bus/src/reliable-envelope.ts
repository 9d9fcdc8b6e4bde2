/**
 * The wire form of at-least-once delivery. A reliable message is its frame
 * behind a small envelope; an acknowledgement is a list of (sequence,
 * subject) pairs.
 *
 *     envelope: 0xC1 | version u8 | sequence u32 | base u32 | origin length u8 | origin | frame
 *
 * 0xC1 is the one byte msgpack never uses, so an envelope can never be taken
 * for a bare frame, nor a bare frame for an envelope. `base` is the lowest
 * sequence the sender still holds unacknowledged on that subject: everything
 * below it was acknowledged, so a receiver that starts late starts there.
 */

export const ENVELOPE_MARKER = 0xc1;
export const ENVELOPE_VERSION = 1;
const HEADER_BYTES = 11;
const ORIGIN_BYTES_MAX = 255;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type Envelope = {
  readonly sequence: number;
  readonly base: number;
  readonly origin: string;
  readonly payload: Uint8Array;
};

export function envelopeEncode(origin: Uint8Array, sequence: number, base: number, payload: Uint8Array): Uint8Array {
  if (origin.length > ORIGIN_BYTES_MAX) throw new RangeError(`reliable: origin of ${origin.length} bytes, over ${ORIGIN_BYTES_MAX}`);
  const bytes = new Uint8Array(HEADER_BYTES + origin.length + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, ENVELOPE_MARKER);
  view.setUint8(1, ENVELOPE_VERSION);
  view.setUint32(2, sequence);
  view.setUint32(6, base);
  view.setUint8(10, origin.length);
  bytes.set(origin, HEADER_BYTES);
  bytes.set(payload, HEADER_BYTES + origin.length);
  return bytes;
}

export function originEncode(origin: string): Uint8Array {
  return encoder.encode(origin);
}

/** The envelope of `data`, or null when `data` is a bare frame (or too short to be an envelope). */
export function envelopeDecode(data: Uint8Array): Envelope | null {
  if (data.length < HEADER_BYTES || data[0] !== ENVELOPE_MARKER || data[1] !== ENVELOPE_VERSION) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const originLength = view.getUint8(10);
  if (data.length < HEADER_BYTES + originLength) return null;
  return {
    sequence: view.getUint32(2),
    base: view.getUint32(6),
    origin: decoder.decode(data.subarray(HEADER_BYTES, HEADER_BYTES + originLength)),
    payload: data.subarray(HEADER_BYTES + originLength),
  };
}

export type Acknowledgement = { readonly sequence: number; readonly subject: string };

/** Acknowledgements as text lines `<sequence> <subject>`: subjects hold no whitespace. */
export function acknowledgementsEncode(acknowledgements: readonly Acknowledgement[]): Uint8Array {
  return encoder.encode(acknowledgements.map((ack) => `${ack.sequence} ${ack.subject}`).join('\n'));
}

/** The acknowledgements of a message; lines that do not parse are skipped and counted by the caller. */
export function acknowledgementsDecode(data: Uint8Array): { readonly acknowledgements: Acknowledgement[]; readonly bad: number } {
  const acknowledgements: Acknowledgement[] = [];
  let bad = 0;
  for (const line of decoder.decode(data).split('\n')) {
    const space = line.indexOf(' ');
    const sequence = Number(line.slice(0, space));
    if (space <= 0 || !Number.isInteger(sequence) || sequence < 1) {
      bad++;
      continue;
    }
    acknowledgements.push({ sequence, subject: line.slice(space + 1) });
  }
  return { acknowledgements, bad };
}
