/**
 * Command-line parsing shared by every command: node's own `parseArgs`,
 * strict, so that a misspelt option is an error and never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggestionFind } from '@ioasim/sim/topology';
import { UsageError } from './usage-error.js';

export { UsageError } from './usage-error.js';

export type Parsed = {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
};

type Options = NonNullable<ParseArgsConfig['options']>;

export function argumentsParse(argv: readonly string[], options: Options): Parsed {
  try {
    const parsed = parseArgs({ args: valuesJoined(argv, options), options, allowPositionals: true, strict: true });
    return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown !== null) throw new UsageError(unknownOption(unknown[1] as string, options));
    throw new UsageError(message);
  }
}

/** `unknown option --sed (did you mean --seed?)`: node's own message ends in a quote it never closes. */
function unknownOption(found: string, options: Options): string {
  const suggestion = suggestionFind(found.replace(/^-+/, ''), Object.keys(options));
  return `unknown option ${found}${suggestion === null ? '' : ` (did you mean --${suggestion}?)`}`;
}

/** True when `token` names one of the options, long (`--json`, `--seed=3`) or short (`-h`). */
function isOptionToken(token: string, options: Options): boolean {
  if (token.startsWith('--')) return Object.hasOwn(options, token.slice(2).split('=')[0] as string);
  return token.length === 2 && Object.values(options).some((option) => option.short === token[1]);
}

/**
 * `--until -5ms` as `--until=-5ms`: node's parser refuses a value that starts
 * with a dash after a space ("argument is ambiguous"), though the README
 * writes `--perfetto-window -5ms` and a negative number deserves its own
 * message. A string option followed by a token that is no option of the
 * command takes that token as its value.
 */
function valuesJoined(argv: readonly string[], options: Options): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    const next = argv[index + 1];
    if (token === '--') {
      joined.push(...argv.slice(index));
      break;
    }
    const name = token.startsWith('--') ? token.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && next.startsWith('-') && !isOptionToken(next, options)) {
      joined.push(`${token}=${next}`);
      index++;
      continue;
    }
    joined.push(token);
  }
  return joined;
}

/** The first item of `items` that occurs more than once, or undefined: for lists a user should give each item of once. */
export function repeatedFirst<Item>(items: readonly Item[]): Item | undefined {
  const seen = new Set<Item>();
  return items.find((item) => seen.size === seen.add(item).size);
}

/** A seed: a whole number from 0 to 2^53 - 1, as a topology's `seed` is. */
export function seedOption(value: string | boolean | undefined): number | undefined {
  const seed = integerOption('seed', value);
  if (seed !== undefined && seed < 0) throw new UsageError(`--seed expects a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, found ${seed}`);
  return seed;
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
