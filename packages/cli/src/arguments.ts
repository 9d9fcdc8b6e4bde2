/**
 * Command-line parsing shared by every command: node's own `parseArgs`,
 * strict, so that a misspelt option is an error and never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Parsed = {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
};

export function argumentsParse(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Parsed {
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error));
  }
}

/** An integer option, refused with a clear message when it is not one. */
export function integerOption(name: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--${name} expects an integer, found "${text}"`);
  const number = Number(text);
  if (!Number.isSafeInteger(number)) throw new UsageError(`--${name} ${text} is out of range`);
  return number;
}
