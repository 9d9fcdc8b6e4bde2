/**
 * NATS subject rules, shared by every bus. A subject is dot-separated tokens;
 * a pattern may use `*` (exactly one token) and `>` (one or more trailing
 * tokens, only as the last token). `*` and `>` are wildcards only as whole
 * tokens: `a*b` is a literal token, as in NATS.
 *
 * A published subject has no wildcard token, no empty token and no
 * whitespace; a pattern has no empty token, no whitespace and `>` only last.
 */

export const WILDCARD_TOKEN = '*';
export const WILDCARD_TAIL = '>';

const WHITESPACE = /\s/;

/** Whether `subject` may be published on. */
export function subjectIsValid(subject: string): boolean {
  if (subject.length === 0 || WHITESPACE.test(subject)) return false;
  for (const token of subject.split('.')) {
    if (token.length === 0 || token === WILDCARD_TOKEN || token === WILDCARD_TAIL) return false;
  }
  return true;
}

/** Whether `pattern` may be subscribed to. */
export function patternIsValid(pattern: string): boolean {
  if (pattern.length === 0 || WHITESPACE.test(pattern)) return false;
  const tokens = pattern.split('.');
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    if (token.length === 0) return false;
    if (token === WILDCARD_TAIL && index !== tokens.length - 1) return false;
  }
  return true;
}

/** Whether `pattern` matches the published `subject` (both assumed valid). */
export function patternMatches(pattern: string, subject: string): boolean {
  return patternTokensMatch(pattern.split('.'), subject.split('.'));
}

/** `patternMatches` over tokens already split, for callers that match one subject many times. */
export function patternTokensMatch(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let index = 0; index < pattern.length; index++) {
    const token = pattern[index] as string;
    if (token === WILDCARD_TAIL) return subject.length > index;
    if (index >= subject.length) return false;
    if (token !== WILDCARD_TOKEN && token !== subject[index]) return false;
  }
  return pattern.length === subject.length;
}

/** Whether `pattern` has a wildcard token. */
export function patternHasWildcard(pattern: string): boolean {
  return pattern.split('.').some((token) => token === WILDCARD_TOKEN || token === WILDCARD_TAIL);
}
