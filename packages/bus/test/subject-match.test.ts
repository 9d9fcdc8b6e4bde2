import { describe, expect, it } from 'vitest';
import { patternHasWildcard, patternIsValid, patternMatches, subjectIsValid } from '@ioasim/bus';

// [pattern, subject, matches], following the NATS subject rules
// (docs.nats.io/nats-concepts/subjects).
const MATCHES: readonly (readonly [string, string, boolean])[] = [
  ['a.b.c', 'a.b.c', true],
  ['a.b.c', 'a.b', false],
  ['a.b', 'a.b.c', false],
  ['a.b.c', 'a.b.d', false],
  ['a.*', 'a.b', true],
  ['a.*', 'a.b.c', false],
  ['a.*', 'a', false],
  ['*.b', 'a.b', true],
  ['*', 'a', true],
  ['*', 'a.b', false],
  ['a.*.c', 'a.b.c', true],
  ['a.*.c', 'a.b.d', false],
  ['*.*.c', 'a.b.c', true],
  ['a.>', 'a.b', true],
  ['a.>', 'a.b.c.d', true],
  ['a.>', 'a', false],
  ['a.>', 'b.c', false],
  ['>', 'a', true],
  ['>', 'a.b.c', true],
  ['a.*.>', 'a.b.c', true],
  ['a.*.>', 'a.b', false],
  ['*.>', 'a.b', true],
  ['*.>', 'a', false],
  // `*` and `>` are wildcards only as whole tokens.
  ['a.b*', 'a.b*', true],
  ['a.b*', 'a.bc', false],
  ['a.>x', 'a.>x', true],
  ['a.>x', 'a.b', false],
  ['ioasim.r1.*.iommu.*.pri', 'ioasim.r1.h0.iommu.smmu0.pri', true],
  ['ioasim.r1.*.iommu.*.pri', 'ioasim.r1.h0.iommu.smmu0.ats', false],
  ['ioasim.r1.>', 'ioasim.r1.trace.h0', true],
  ['ioasim.r1.>', 'ioasim.r2.trace.h0', false],
];

describe('subject matching', () => {
  it.each(MATCHES)("pattern '%s' on subject '%s' matches: %s", (pattern, subject, matches) => {
    expect(patternIsValid(pattern)).toBe(true);
    expect(subjectIsValid(subject)).toBe(true);
    expect(patternMatches(pattern, subject)).toBe(matches);
  });

  it('accepts a published subject of literal tokens only', () => {
    for (const subject of ['a', 'a.b', '_INBOX.17', 'ioasim.r1.h0.mgr.faults', 'a.b*', 'a-b_c.d']) {
      expect(subjectIsValid(subject), subject).toBe(true);
    }
  });

  it('refuses a published subject with a wildcard, an empty token or whitespace', () => {
    for (const subject of ['', '.', 'a..b', '.a', 'a.', 'a.*', '*', 'a.>', '>', 'a b', 'a\tb', 'a.b\n']) {
      expect(subjectIsValid(subject), JSON.stringify(subject)).toBe(false);
    }
  });

  it('accepts a pattern with `*` anywhere and `>` last', () => {
    for (const pattern of ['a', '*', '>', 'a.*', 'a.>', '*.*', 'a.*.>', '*.>', 'a.b*']) {
      expect(patternIsValid(pattern), pattern).toBe(true);
    }
  });

  it('refuses a pattern with `>` before the last token, an empty token or whitespace', () => {
    for (const pattern of ['', 'a.>.b', '>.a', 'a..b', 'a.', '.a', 'a b', 'a.*\t']) {
      expect(patternIsValid(pattern), JSON.stringify(pattern)).toBe(false);
    }
  });

  it('tells a pattern with a wildcard token from a literal one', () => {
    expect(patternHasWildcard('a.*')).toBe(true);
    expect(patternHasWildcard('a.>')).toBe(true);
    expect(patternHasWildcard('a.b*')).toBe(false);
    expect(patternHasWildcard('a.b')).toBe(false);
  });
});
