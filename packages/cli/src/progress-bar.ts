/**
 * A progress bar on standard error, for runs and sweeps that take longer than
 * a second of wall time on a terminal. It draws nothing when standard error is
 * not a terminal (piped, in CI) and nothing before the first second, so short
 * runs and scripts see no stray output. Only the cli reads the wall clock;
 * the runner reports simulated progress and never waits for the bar.
 */

export type ProgressBar = {
  /** `fraction` in [0, 1]; `label` is shown after the bar. */
  readonly update: (fraction: number, label: string) => void;
  /** Erases the bar, if one was drawn. */
  readonly done: () => void;
};

/** Wall time before the bar first appears. */
const PROGRESS_DELAY_MS = 1_000;
/** Wall time between two redraws. */
const PROGRESS_REDRAW_MS = 100;
const BAR_WIDTH = 30;

export type ProgressTarget = { readonly write: (text: string) => void; readonly tty: boolean };

const NO_PROGRESS: ProgressBar = { update: () => {}, done: () => {} };

export function progressBar(target: ProgressTarget | undefined, enabled: boolean): ProgressBar {
  if (target === undefined || !target.tty || !enabled) return NO_PROGRESS;
  const startMs = Date.now();
  let drawnMs = 0;
  let drawn = false;
  return {
    update: (fraction, label) => {
      const nowMs = Date.now();
      if (nowMs - startMs < PROGRESS_DELAY_MS || nowMs - drawnMs < PROGRESS_REDRAW_MS) return;
      drawnMs = nowMs;
      drawn = true;
      const clamped = Math.max(0, Math.min(1, fraction));
      const filled = Math.round(clamped * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
      target.write(`\r[${bar}] ${String(Math.round(clamped * 100)).padStart(3)}%  ${label}\u001b[K`);
    },
    done: () => {
      if (drawn) target.write('\r\u001b[K');
    },
  };
}
