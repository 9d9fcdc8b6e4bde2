/**
 * Units: durations resolve to nanoseconds, rates to accesses per second, and
 * are shown back exactly as a file would write them.
 */
import { describe, expect, it } from 'vitest';
import { durationFormat, parseDuration, parseRate, rateFormat } from '@ioasim/topology';

describe('parseDuration', () => {
  it('reads nanoseconds as a number', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(1500)).toBe(1500);
  });

  it('reads every unit, with decimals and without a unit', () => {
    expect(parseDuration('500ns')).toBe(500);
    expect(parseDuration('5us')).toBe(5000);
    expect(parseDuration('5µs')).toBe(5000);
    expect(parseDuration('5μs')).toBe(5000);
    expect(parseDuration('1.5us')).toBe(1500);
    expect(parseDuration('2ms')).toBe(2_000_000);
    expect(parseDuration('1s')).toBe(1_000_000_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('250')).toBe(250);
  });

  it('resolves to whole nanoseconds without floating-point residue', () => {
    expect(parseDuration('1.1us')).toBe(1100);
    expect(parseDuration('0.3ms')).toBe(300_000);
  });

  it('refuses what is not a duration, quoting it', () => {
    expect(() => parseDuration('5xs')).toThrow(/^bad duration "5xs"; expected a duration/);
    expect(() => parseDuration('-1us')).toThrow(RangeError);
    expect(() => parseDuration(-1)).toThrow(/^bad duration -1;/);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('parseRate', () => {
  it('reads a number and every multiplier', () => {
    expect(parseRate(1000)).toBe(1000);
    expect(parseRate('10/s')).toBe(10);
    expect(parseRate('200k/s')).toBe(200_000);
    expect(parseRate('1.5M/s')).toBe(1_500_000);
    expect(parseRate('2G/s')).toBe(2_000_000_000);
    expect(parseRate('1.1k/s')).toBe(1100);
    expect(parseRate('0.5/s')).toBe(0.5);
  });

  it('refuses zero and what is not a rate', () => {
    expect(() => parseRate(0)).toThrow(RangeError);
    expect(() => parseRate('0/s')).toThrow(/^bad rate "0\/s"/);
    expect(() => parseRate('100k')).toThrow(RangeError);
    expect(() => parseRate('1T/s')).toThrow(RangeError);
  });
});

describe('durationFormat', () => {
  it('shows a duration in the largest unit that keeps it exact', () => {
    expect([0, 200, 1500, 4000, 2_000_000, 1_000_500, 1_000_000_000].map(durationFormat)).toEqual([
      '0ns',
      '200ns',
      '1.5us',
      '4us',
      '2ms',
      '1000.5us',
      '1s',
    ]);
  });

  it('reads back to the same nanoseconds', () => {
    for (const ns of [0, 1, 999, 1001, 123_456_789, 7_000_000_000]) expect(parseDuration(durationFormat(ns))).toBe(ns);
  });
});

describe('rateFormat', () => {
  it('shows a rate with k, M or G per second, exactly', () => {
    expect([10, 1500, 200_000, 1_500_000, 2_000_000_000, 1234.5].map(rateFormat)).toEqual(['10/s', '1.5k/s', '200k/s', '1.5M/s', '2G/s', '1234.5/s']);
  });

  it('reads back to the same rate', () => {
    for (const perSecond of [1, 999, 1001, 200_000, 1_500_000]) expect(parseRate(rateFormat(perSecond))).toBe(perSecond);
  });
});
