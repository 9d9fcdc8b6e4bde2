/**
 * @ioasim/sim/sweep: a topology run once per combination of parameter
 * values, in worker processes, and its HTML chart (`ioasim sweep`). Apart
 * from the index, so that a run loads no worker pool.
 */
export {
  SweepError,
  reportMetric,
  sweepInputParse,
  sweepParameterParse,
  sweepPoints,
  sweepSubstitute,
  sweepValueNumber,
  type SweepParameter,
  type SweepPoint,
  type SweepResult,
} from '../sweep.js';
export { sweepHtml } from '../sweep-html.js';
export { sweepRun, type SweepOptions } from '../sweep-pool.js';
