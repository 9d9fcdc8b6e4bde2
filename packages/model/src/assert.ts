/**
 * Assertions are for ioasim's own bugs: a failed one stops the run and says
 * what broke. The outside world gets typed, counted refusals instead.
 */

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** The exhaustiveness check at the end of every `switch` over a union. */
export function unreachable(value: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(value)}`);
}
