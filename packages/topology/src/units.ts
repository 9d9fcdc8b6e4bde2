/**
 * Units of the topology format: durations and rates.
 *
 * A duration is nanoseconds as a number, or a string of a decimal number and
 * an optional unit (`"500ns"`, `"1.5us"`, `"5µs"`, `"2ms"`, `"1s"`; no unit
 * means nanoseconds). A unit string resolves to whole nanoseconds, so that
 * `"1.1us"` is exactly 1100 and not 1100.0000000000002. A rate is accesses per
 * simulated second, as a number or a string (`"10/s"`, `"200k/s"`, `"1.5M/s"`,
 * `"2G/s"`). The patterns below are the ones the schema checks, so a string
 * the schema accepts always parses.
 *
 * Both have a finite maximum, checked by the schema before anything is
 * built: a duration at most DURATION_MAX_NS (one hour of simulated time),
 * a rate at most RATE_MAX per second. A run of a simulated hour at the
 * fastest rate is already far past what one machine can simulate; larger
 * values (a duration of 10^400 that overflows to Infinity) are typos.
 */

const DURATION_UNITS_NS = {
  ns: 1,
  us: 1_000,
  'µs': 1_000, // U+00B5 MICRO SIGN
  'μs': 1_000, // U+03BC GREEK SMALL LETTER MU
  ms: 1_000_000,
  s: 1_000_000_000,
} as const;

const RATE_MULTIPLIERS = { '': 1, k: 1_000, M: 1_000_000, G: 1_000_000_000 } as const;

/** The longest duration a topology or option may give: one hour of simulated time. */
export const DURATION_MAX_NS = 3_600 * 1_000_000_000;
/** The highest rate a topology may give, in accesses per simulated second. */
export const RATE_MAX = 10_000_000_000;

const DURATION_SHAPE = String.raw`(\d+(?:\.\d+)?)\s*(ns|us|µs|μs|ms|s)?`;
const RATE_SHAPE = String.raw`(\d+(?:\.\d+)?)\s*([kMG]?)/s`;

/** A duration string: a decimal number and an optional unit. */
export const DURATION_PATTERN = new RegExp(`^${DURATION_SHAPE}$`);
/** A duration string that is not zero. */
export const DURATION_POSITIVE_PATTERN = new RegExp(`^(?=[^1-9]*[1-9])${DURATION_SHAPE}$`);
/** A rate string that is not zero. */
export const RATE_PATTERN = new RegExp(`^(?=[^1-9]*[1-9])${RATE_SHAPE}$`);

export const DURATION_EXPECTED =
  'a duration of at most 3600s: nanoseconds as a number, or a string with a unit ns, us, µs, ms or s ("500ns", "1.5us", "2ms")';
export const DURATION_POSITIVE_EXPECTED =
  'a duration above zero and at most 3600s: nanoseconds as a number, or a string with a unit ns, us, µs, ms or s ("500ns", "1.5us", "2ms")';
export const RATE_EXPECTED = 'a rate above zero and at most 10G/s: a number, or a string like "10/s", "200k/s", "1.5M/s", "2G/s"';

/** Nanoseconds of a duration. Throws a RangeError for a value the format does not allow. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= DURATION_MAX_NS) return value;
    throw new RangeError(`bad duration ${value}; expected ${DURATION_EXPECTED}`);
  }
  const match = DURATION_PATTERN.exec(value.trim());
  if (match === null) throw new RangeError(`bad duration ${JSON.stringify(value)}; expected ${DURATION_EXPECTED}`);
  const unit = (match[2] ?? 'ns') as keyof typeof DURATION_UNITS_NS;
  const ns = Math.round(Number(match[1]) * DURATION_UNITS_NS[unit]);
  if (!(ns <= DURATION_MAX_NS)) throw new RangeError(`duration ${shortened(value)} is too long; expected ${DURATION_EXPECTED}`);
  return ns;
}

/** Whether a duration string within the pattern is at most DURATION_MAX_NS. */
export function durationWithinMax(value: string): boolean {
  const match = DURATION_PATTERN.exec(value.trim());
  if (match === null) return true;
  const unit = (match[2] ?? 'ns') as keyof typeof DURATION_UNITS_NS;
  return Number(match[1]) * DURATION_UNITS_NS[unit] <= DURATION_MAX_NS;
}

/** Whether a rate string within the pattern is at most RATE_MAX. */
export function rateWithinMax(value: string): boolean {
  const match = RATE_PATTERN.exec(value.trim());
  if (match === null) return true;
  return Number(match[1]) * RATE_MULTIPLIERS[(match[2] ?? '') as keyof typeof RATE_MULTIPLIERS] <= RATE_MAX;
}

/** A value quoted for a message, cut when it is long (a duration of 400 digits). */
function shortened(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}...${value.slice(-10)}` : value);
}

/** Accesses per second of a rate. Throws a RangeError for a value the format does not allow. */
export function parseRate(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0 && value <= RATE_MAX) return value;
    throw new RangeError(`bad rate ${value}; expected ${RATE_EXPECTED}`);
  }
  const match = RATE_PATTERN.exec(value.trim());
  if (match === null || !rateWithinMax(value)) throw new RangeError(`bad rate ${shortened(value)}; expected ${RATE_EXPECTED}`);
  const multiplier = (match[2] ?? '') as keyof typeof RATE_MULTIPLIERS;
  // Multiplying the decimal digits as an integer keeps "1.1k/s" exactly 1100.
  const [whole = '0', fraction = ''] = (match[1] ?? '0').split('.');
  const scale = 10 ** fraction.length;
  return (Number(whole + fraction) * RATE_MULTIPLIERS[multiplier]) / scale;
}

/** The units a duration is shown in, largest first, each with its nanoseconds. */
const DURATION_DISPLAY = [
  ['s', 1_000_000_000],
  ['ms', 1_000_000],
  ['us', 1_000],
] as const;

const RATE_DISPLAY = [
  ['G', 1_000_000_000],
  ['M', 1_000_000],
  ['k', 1_000],
] as const;

/** `value` in the largest of `units` that shows it exactly with at most three decimals. */
function scaledFormat(value: number, units: readonly (readonly [string, number])[]): { digits: string; unit: string } {
  for (const [unit, scale] of units) {
    if (value >= scale && Number.isInteger((value * 1000) / scale)) return { digits: String(value / scale), unit };
  }
  return { digits: String(value), unit: '' };
}

/** A duration as a file would write it, exactly: 200 → "200ns", 1500 → "1.5us", 2000000 → "2ms". */
export function durationFormat(ns: number): string {
  const { digits, unit } = scaledFormat(ns, DURATION_DISPLAY);
  return `${digits}${unit === '' ? 'ns' : unit}`;
}

/** A rate as a file would write it, exactly: 200000 → "200k/s", 1500000 → "1.5M/s". */
export function rateFormat(perSecond: number): string {
  const { digits, unit } = scaledFormat(perSecond, RATE_DISPLAY);
  return `${digits}${unit}/s`;
}
