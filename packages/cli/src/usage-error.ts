/**
 * A user's mistake on the command line: the cli prints its message and the
 * command's help hint, and exits 2, never with a stack trace. Its own file,
 * so that the dispatch in cli.ts can catch it without loading what parsing
 * options loads (see arguments.ts).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
