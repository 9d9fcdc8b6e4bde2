/**
 * `ioasim run --perfetto <file> [--perfetto-window <from>-<to>] [--perfetto-sample N]`:
 * the options of the Perfetto timeline, turned into PerfettoOptions. A window
 * side may be left out (`2ms-` = from 2ms on, `-5ms` = up to 5ms); both are
 * durations with units, in simulated time.
 */
import { PERFETTO_DEFAULTS, parseDuration, type PerfettoOptions } from '@ioasim/sim';
import { UsageError, integerOption } from './arguments.js';

export function perfettoOptions(window: string | boolean | undefined, sample: string | boolean | undefined): PerfettoOptions {
  const sampleEvery = integerOption('perfetto-sample', sample) ?? 1;
  if (sampleEvery < 1) throw new UsageError(`--perfetto-sample expects an integer >= 1 (one group in N), found ${sampleEvery}`);
  if (typeof window !== 'string') return { ...PERFETTO_DEFAULTS, sample: sampleEvery };
  const parts = window.split('-');
  if (parts.length !== 2) throw new UsageError(`--perfetto-window expects <from>-<to>, e.g. 1ms-2ms, found "${window}"`);
  const side = (text: string, fallback: number): number => {
    if (text.trim() === '') return fallback;
    try {
      return parseDuration(text.trim());
    } catch (error) {
      throw new UsageError(`--perfetto-window: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const fromNs = side(parts[0] ?? '', 0);
  const toNs = side(parts[1] ?? '', Number.POSITIVE_INFINITY);
  if (toNs <= fromNs) throw new UsageError(`--perfetto-window: ${window} ends before it begins; expected <from> less than <to>`);
  return { ...PERFETTO_DEFAULTS, fromNs, toNs, sample: sampleEvery };
}
