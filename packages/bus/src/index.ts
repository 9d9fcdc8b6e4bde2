/**
 * @ioasim/bus: how actors talk and keep time. The Bus and Clock interfaces,
 * the discrete-event scheduler and virtual clock of embedded runs, the real
 * clock of NATS runs, the in-process LocalBus, NATS subject rules, the
 * per-actor frame batcher, and the ports services share.
 */
export type {
  Bus,
  BusLink,
  BusMessage,
  BusStats,
  MessageHandler,
  RequestError,
  RequestResult,
  SubscribeOptions,
  Subscription,
} from './bus.js';
export { Priority, type Clock, type TimerHandle } from './clock.js';
export { AssertionError } from './assert.js';
export {
  MESSAGE_COUNT_NAMES,
  MessageCounts,
  SUBJECT_KIND_OTHER,
  messageCounterName,
  type MessageCountName,
  type MessageCountsByKind,
  type MessageSubjectKind,
} from './message-counts.js';
export {
  SCHEDULER_PRIORITY_MAX,
  Scheduler,
  type SchedulerRunOptions,
  type SchedulerRunResult,
} from './scheduler.js';
export { VirtualClock, millisecondsToNanoseconds } from './virtual-clock.js';
export { RealClock } from './real-clock.js';
export {
  WILDCARD_TAIL,
  WILDCARD_TOKEN,
  patternHasWildcard,
  patternIsValid,
  patternMatches,
  patternTokensMatch,
  subjectIsValid,
} from './subject-match.js';
export { INBOX_PREFIX, LocalBus, type LatencySampler, type LocalBusOptions } from './local-bus.js';
export { SUBJECT_STATES_MAX } from './subject-routes.js';
export { Outbox, type OutboxOptions, type OutboxStats } from './outbox.js';
export { framesSubscribe, type BadFrame, type FrameHandler } from './frames.js';
export { ServicePorts, subjectToken, type FrameRequester, type Requester, type ServiceOptions } from './service-ports.js';
export { ModelCalls } from './model-calls.js';
export {
  ChaosBus,
  PROBABILITY_DENOMINATOR,
  hostGlob,
  probabilityNumerator,
  type ChaosAction,
  type ChaosActionKind,
  type ChaosBusOptions,
  type ChaosRandom,
} from './chaos-bus.js';
export {
  HOT_PATH_KINDS,
  RETRANSMIT_FIRST_NS,
  REQUEST_ATTEMPT_NS,
  RETRANSMIT_MAX_NS,
  ReliableBus,
  SEEN_ABOVE_FLOOR_MAX,
  TRANSMISSIONS_MAX,
  UNACKNOWLEDGED_MAX,
  hotPathSubject,
  type ReliableBusOptions,
  type ReliableOverflow,
  type ReliableStats,
} from './reliable-bus.js';
