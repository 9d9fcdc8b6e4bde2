/**
 * A device's workload: the accesses it issues, open loop. Arrivals follow the
 * workload's rate steps (Poisson or fixed spacing); each access picks a page
 * of the working set by the pattern and is a write with probability `write`.
 * Pages of a working set are numbered 0 .. pages-1 within the attached space.
 * A workload with a `replay` trace issues the trace's accesses instead, at
 * their recorded times, and draws nothing from its random source.
 */
import { Perm, type WorkloadConfig, type WorkloadPattern } from '@ioasim/protocol';
import { assert, unreachable } from './assert.js';
import { randomExponential, type Random } from './random.js';

export type Access = { readonly page: number; readonly perm: number };

const NS_PER_SECOND = 1e9;

export class WorkloadGenerator {
  private issued = 0;
  private nextNs: number;
  private sequentialPage = 0;
  private readonly zipf: ZipfSampler | null;

  constructor(
    readonly config: WorkloadConfig,
    private readonly random: Random,
  ) {
    assert(config.rate.length > 0, 'workload: no rate');
    this.zipf = config.pattern.kind === 'zipf' ? new ZipfSampler(config.pages, config.pattern.exponent) : null;
    this.nextNs = config.replay === undefined ? this.gapNs(0) : 0;
  }

  /** The simulated time of the next access, or null when the workload is done. */
  nextArrivalNs(): number | null {
    const replay = this.config.replay;
    if (replay !== undefined) return replay[this.issued]?.atNs ?? null;
    if (this.config.count !== null && this.issued >= this.config.count) return null;
    if (this.config.durationNs !== null && this.nextNs > this.config.durationNs) return null;
    return this.nextNs;
  }

  /** The access due at nextArrivalNs(); advances to the next arrival. */
  take(): Access {
    const replayed = this.config.replay?.[this.issued];
    if (replayed !== undefined) {
      this.issued++;
      return { page: replayed.page, perm: replayed.perm };
    }
    const page = this.pagePick();
    const perm = this.config.write > 0 && this.random.float() < this.config.write ? Perm.write : Perm.read;
    this.issued++;
    this.nextNs += this.gapNs(this.nextNs);
    return { page, perm };
  }

  get accessesIssued(): number {
    return this.issued;
  }

  private rateAt(nowNs: number): number {
    let perSecond = (this.config.rate[0] as { perSecond: number }).perSecond;
    for (const step of this.config.rate) if (step.atNs <= nowNs) perSecond = step.perSecond;
    return perSecond;
  }

  private gapNs(nowNs: number): number {
    const meanNs = NS_PER_SECOND / this.rateAt(nowNs);
    return this.config.arrival === 'fixed' ? meanNs : randomExponential(this.random, meanNs);
  }

  private pagePick(): number {
    const pattern: WorkloadPattern = this.config.pattern;
    const pages = this.config.pages;
    switch (pattern.kind) {
      case 'uniform':
        return this.random.below(pages);
      case 'sequential': {
        const page = this.sequentialPage;
        this.sequentialPage = (page + 1) % pages;
        return page;
      }
      case 'zipf':
        return (this.zipf as ZipfSampler).sample(this.random) - 1;
      case 'hotspot': {
        const hot = Math.max(1, Math.round(pages * pattern.hotFraction));
        if (this.random.float() < pattern.hotAccess || hot === pages) return this.random.below(hot);
        return hot + this.random.below(pages - hot);
      }
      default:
        return unreachable(pattern);
    }
  }
}

/**
 * Zipf over 1..n by rejection-inversion (Hörmann and Derflinger), in O(1)
 * memory: a working set of millions of pages needs no table.
 */
export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly s: number;

  constructor(
    private readonly n: number,
    private readonly exponent: number,
  ) {
    assert(n >= 1 && exponent > 0, `zipf: n ${n} and exponent ${exponent} must be positive`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  sample(random: Random): number {
    for (;;) {
      const u = this.hIntegralN + random.float() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }
}

/** log(1 + x) / x, continuous at 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - x * 0.25));
}

/** (exp(x) - 1) / x, continuous at 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + x * 0.25));
}

/** The pages of a working set mapped at start: the first `mapped` fraction of it. */
export function workloadPagesMapped(config: WorkloadConfig): number {
  return Math.floor(config.pages * config.mapped);
}
