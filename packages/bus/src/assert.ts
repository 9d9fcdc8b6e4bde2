/**
 * Assertions are for the bus's own bugs and its callers' (a time in the past,
 * a subject with a wildcard): a failed one stops the run and says what broke.
 * The outside world gets typed, counted refusals instead.
 */

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
