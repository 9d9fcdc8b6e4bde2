/**
 * ChaosBus: a Bus that misbehaves on purpose, wrapping any other Bus. The
 * chaos rules of a topology act on what one host publishes:
 *
 * - a message rule matches the subject after `ioasim.<run>.` with NATS
 *   wildcards (`*.mgr.resp`, `h0.dev.*.prgr`, `>`), and drops the message with
 *   probability `drop`, publishes it twice with probability `duplicate`,
 *   delays it by a duration or a distribution, and delays it by a uniform
 *   share of its `reorder` window so that later messages overtake it;
 * - a partition drops, between `fromNs` and `toNs`, every message from a host
 *   of one group (host globs, `*` for any run of characters) to a host of the
 *   other; a host is never partitioned from itself.
 *
 * Invariants:
 * - subjects outside `ioasim.<run>.`, and the run's trace and metrics
 *   subjects, are never touched: the observer stands outside the system;
 * - every action is reported to `onChaos`, nothing is dropped silently;
 * - every choice comes from the injected seeded random source, and every
 *   delay from the injected clock: the same seed gives the same chaos;
 * - probabilities are drawn as integer ratios over PROBABILITY_DENOMINATOR;
 * - after `heal()`, the bus passes everything through unchanged;
 * - requests (request/reply, the control path) pass unchanged: their
 *   requester has its own timeout, and a rule on `*.mgr.ctl` acts on
 *   plain publishes only.
 */
import type { ChaosRule, Cost, Frame } from '@ioasim/protocol';
import { SUBJECT_ROOT } from '@ioasim/protocol';
import type { Bus, BusStats, MessageHandler, RequestResult, SubscribeOptions, Subscription } from './bus.js';
import type { Clock } from './clock.js';
import { patternTokensMatch } from './subject-match.js';

const NO_BYTES = new Uint8Array(0);

/** A subject as the rules read it: after `ioasim.<run>.`, and split into tokens. */
type SubjectParts = { readonly relative: string; readonly tokens: readonly string[] };
/** Subjects whose parts a ChaosBus remembers before it starts afresh. */
const SUBJECT_PARTS_MAX = 65_536;

/** Probabilities are drawn as `numerator / PROBABILITY_DENOMINATOR`. */
export const PROBABILITY_DENOMINATOR = 1_000_000;

/** The seeded random source chaos draws from (model's Random fits). */
export interface ChaosRandom {
  /** True with probability `numerator / denominator`. */
  chance(numerator: number, denominator: number): boolean;
  /** Uniform integer in [0, bound). */
  below(bound: number): number;
}

export type ChaosActionKind = 'drop' | 'duplicate' | 'delay' | 'reorder' | 'partition';

/** One thing the chaos did to one message. */
export type ChaosAction = {
  readonly action: ChaosActionKind;
  /** The host whose publish was affected (the sender). */
  readonly host: string;
  /** The subject after `ioasim.<run>.`. */
  readonly subject: string;
  /** The index of the rule in the topology's `chaos` list. */
  readonly rule: number;
  /** For delay and reorder: how long the message was held. */
  readonly delayNs: number;
};

export type ChaosBusOptions = {
  readonly run: string;
  readonly rules: readonly ChaosRule[];
  readonly clock: Clock;
  readonly random: ChaosRandom;
  /** Samples a delay distribution in whole nanoseconds (the runner passes the model's costSample). */
  readonly delaySample: (cost: Cost) => number;
  readonly onChaos: (action: ChaosAction) => void;
};

type MessageRule = {
  readonly index: number;
  readonly tokens: readonly string[];
  readonly drop: number;
  readonly duplicate: number;
  readonly delay: Cost | null;
  readonly reorderNs: number;
};
type PartitionRule = {
  readonly index: number;
  readonly groups: readonly [RegExp, RegExp];
  readonly fromNs: number;
  readonly toNs: number;
};

/** A probability as a numerator over PROBABILITY_DENOMINATOR. */
export function probabilityNumerator(probability: number): number {
  return Math.min(PROBABILITY_DENOMINATOR, Math.max(0, Math.round(probability * PROBABILITY_DENOMINATOR)));
}

/** A host glob (`rack1-*`) as an anchored expression: `*` is any run of characters. */
export function hostGlob(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** The shared chaos of one run; each host publishes through its own `endpoint(host)`. */
export class ChaosBus {
  readonly #inner: Bus;
  readonly #options: ChaosBusOptions;
  readonly #prefix: string;
  readonly #messageRules: readonly MessageRule[];
  readonly #partitions: readonly PartitionRule[];
  /** Messages each rule's `match` took, by rule index (0 for a rule that is no message rule). */
  readonly #matched: number[];
  readonly #partsBySubject = new Map<string, SubjectParts | null>();
  #healed = false;

  constructor(inner: Bus, options: ChaosBusOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#prefix = `${SUBJECT_ROOT}.${options.run}.`;
    const messageRules: MessageRule[] = [];
    const partitions: PartitionRule[] = [];
    options.rules.forEach((rule, index) => {
      switch (rule.kind) {
        case 'message':
          messageRules.push({
            index,
            tokens: rule.match.split('.'),
            drop: probabilityNumerator(rule.drop),
            duplicate: probabilityNumerator(rule.duplicate),
            delay: rule.delay,
            reorderNs: rule.reorderNs,
          });
          return;
        case 'partition':
          partitions.push({ index, groups: [hostGlob(rule.groups[0]), hostGlob(rule.groups[1])], fromNs: rule.fromNs, toNs: rule.toNs });
          return;
        case 'crash':
        case 'natsKill':
          return;
        default: {
          const unknown: never = rule;
          void unknown;
        }
      }
    });
    this.#messageRules = messageRules;
    this.#partitions = partitions;
    this.#matched = options.rules.map(() => 0);
  }

  /** How many messages each rule matched, by rule index: a message rule at 0 names no subject the run used. */
  get matched(): readonly number[] {
    return this.#matched;
  }

  get inner(): Bus {
    return this.#inner;
  }

  /** Chaos off: from now on every message passes unchanged. */
  heal(): void {
    this.#healed = true;
  }

  get healed(): boolean {
    return this.#healed;
  }

  /** The Bus one host's services publish through. */
  endpoint(host: string): Bus {
    return new ChaosEndpoint(this, host);
  }

  /** Publishes as `host` would, through the rules. */
  publishFrom(host: string, subject: string, data: Uint8Array, reply: string | undefined, frame?: Frame): void {
    const parts = this.#healed ? null : this.#parts(subject);
    if (parts === null) {
      this.#forward(subject, data, reply, frame);
      return;
    }
    const { relative, tokens } = parts;
    const nowNs = this.#options.clock.nowNs();
    for (const partition of this.#partitions) {
      if (nowNs < partition.fromNs || nowNs >= partition.toNs) continue;
      const target = tokens[0] as string;
      if (target === host) continue;
      const [left, right] = partition.groups;
      if ((left.test(host) && right.test(target)) || (right.test(host) && left.test(target))) {
        this.#report('partition', host, relative, partition.index, 0);
        return;
      }
    }
    const random = this.#options.random;
    let copies = 1;
    let delayNs = 0;
    for (const rule of this.#messageRules) {
      if (!patternTokensMatch(rule.tokens, tokens)) continue;
      this.#matched[rule.index] = (this.#matched[rule.index] as number) + 1;
      if (rule.drop > 0 && random.chance(rule.drop, PROBABILITY_DENOMINATOR)) {
        this.#report('drop', host, relative, rule.index, 0);
        return;
      }
      if (rule.duplicate > 0 && random.chance(rule.duplicate, PROBABILITY_DENOMINATOR)) {
        copies++;
        this.#report('duplicate', host, relative, rule.index, 0);
      }
      if (rule.delay !== null) {
        const held = Math.max(0, this.#options.delaySample(rule.delay));
        delayNs += held;
        if (held > 0) this.#report('delay', host, relative, rule.index, held);
      }
      if (rule.reorderNs > 0) {
        const held = random.below(rule.reorderNs + 1);
        delayNs += held;
        if (held > 0) this.#report('reorder', host, relative, rule.index, held);
      }
    }
    for (let copy = 0; copy < copies; copy++) {
      if (delayNs === 0) this.#forward(subject, data, reply, frame);
      else this.#options.clock.afterNs(delayNs, () => this.#forward(subject, data, reply, frame));
    }
  }

  /** Hands a message on to the inner bus: a frame as an object (with `data` as its header), or bytes. */
  #forward(subject: string, data: Uint8Array, reply: string | undefined, frame: Frame | undefined): void {
    if (frame === undefined) this.#inner.publish(subject, data, reply);
    else (this.#inner.publishFrame as NonNullable<Bus['publishFrame']>)(subject, frame, data);
  }

  /**
   * The subject after `ioasim.<run>.` and its tokens, remembered per
   * subject (a run sends on the same subjects over and over; cleared when
   * full), or null for a subject chaos never touches.
   */
  #parts(subject: string): SubjectParts | null {
    // Not this run's (a reply inbox, each a new subject): no rule touches it, and it takes no entry.
    if (!subject.startsWith(this.#prefix)) return null;
    let parts = this.#partsBySubject.get(subject);
    if (parts === undefined) {
      const relative = this.#relative(subject);
      parts = relative === null ? null : { relative, tokens: relative.split('.') };
      if (this.#partsBySubject.size >= SUBJECT_PARTS_MAX) this.#partsBySubject.clear();
      this.#partsBySubject.set(subject, parts);
    }
    return parts;
  }

  /** The subject after `ioasim.<run>.`, or null for a subject chaos never touches. */
  #relative(subject: string): string | null {
    if (!subject.startsWith(this.#prefix)) return null;
    const relative = subject.slice(this.#prefix.length);
    if (relative.startsWith('trace.') || relative.startsWith('metrics.')) return null;
    return relative;
  }

  #report(action: ChaosActionKind, host: string, subject: string, rule: number, delayNs: number): void {
    this.#options.onChaos({ action, host, subject, rule, delayNs });
  }
}

/** One host's view of the chaos: publishes go through the rules as that host's. */
class ChaosEndpoint implements Bus {
  /** Present when the inner bus carries frames as objects: they pass the rules as bytes do. */
  readonly publishFrame?: (subject: string, frame: Frame, header?: Uint8Array) => void;

  constructor(
    private readonly chaos: ChaosBus,
    private readonly host: string,
  ) {
    if (chaos.inner.publishFrame !== undefined) {
      this.publishFrame = (subject, frame, header) => chaos.publishFrom(host, subject, header ?? NO_BYTES, undefined, frame);
    }
  }

  get stats(): Readonly<BusStats> {
    return this.chaos.inner.stats;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    this.chaos.publishFrom(this.host, subject, data, reply);
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    return this.chaos.inner.subscribe(pattern, handler, options);
  }

  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    this.chaos.inner.request(subject, data, timeoutNs, callback);
  }

  flush(): Promise<void> {
    return this.chaos.inner.flush();
  }

  close(): Promise<void> {
    return this.chaos.inner.close();
  }
}
