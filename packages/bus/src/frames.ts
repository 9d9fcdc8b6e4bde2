/**
 * Typed frame subscriptions: decode every message of a subscription as a
 * frame of one expected type and hand its records over in one call. A frame
 * that does not decode, or is of another type, is reported to `onBadFrame`
 * (to be counted and traced) and never reaches the handler or throws.
 */
import {
  ERRORS,
  FrameType,
  frameDecode,
  type FrameError,
  type FrameHeader,
  type FrameRecords,
  type FrameTypeName,
} from '@ioasim/protocol';
import type { Bus, BusMessage, SubscribeOptions, Subscription } from './bus.js';

export type BadFrame = { readonly subject: string; readonly error: FrameError };

export type FrameHandler<Name extends FrameTypeName> = (
  records: readonly FrameRecords[Name][],
  message: BusMessage,
  header: FrameHeader,
) => void;

export function framesSubscribe<Name extends FrameTypeName>(
  bus: Bus,
  pattern: string,
  type: Name,
  handler: FrameHandler<Name>,
  onBadFrame: (bad: BadFrame) => void,
  options?: SubscribeOptions,
): Subscription {
  const expected = FrameType[type];
  return bus.subscribe(
    pattern,
    (message) => {
      let frame = message.frame;
      if (frame === undefined) {
        const decoded = frameDecode(message.data);
        if (!decoded.ok) {
          onBadFrame({ subject: message.subject, error: decoded.error });
          return;
        }
        frame = decoded.frame;
      }
      const { header, records } = frame;
      if (header.type !== expected) {
        onBadFrame({
          subject: message.subject,
          error: {
            error: 'frameUnknownType',
            code: ERRORS.frameUnknownType.code,
            message: `frame type ${header.type} on ${message.subject}, expected ${expected} (${type})`,
          },
        });
        return;
      }
      handler(records as readonly FrameRecords[Name][], message, header);
    },
    options,
  );
}
