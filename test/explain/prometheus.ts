/**
 * Test helpers for live metrics: a strict parser of Prometheus text
 * exposition format 0.0.4, and an Io that scrapes the endpoint ioasim
 * announces on standard error until the run says it has finished.
 */
import type { Io } from '@ioasim/cli';
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses Prometheus text exposition format 0.0.4, failing on any line that is not in it. */
export function exposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help !== null) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? ([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|Inf|NaN))$/.exec(line);
    expect(sample, `not exposition format: ${line}`).not.toBeNull();
    if (sample === null) continue;
    const name = sample[1] as string;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(name) || types.get(family) === 'histogram', `${name} has no # TYPE before it`).toBe(true);
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1] as string] = match[2] as string;
    samples.push({ name, labels, value: Number((sample[3] as string).replace('Inf', 'Infinity')) });
  }
  return { types, samples };
}

export type Scraper = { readonly io: Io; readonly scrapes: string[]; readonly errors: string[]; done(): Promise<void> };

/** An Io whose first `live metrics on http://...` line starts scraping every 20 ms until `ioasim_run_finished 1` or the server closes. */
export function scraperIo(): Scraper {
  const scrapes: string[] = [];
  const errors: string[] = [];
  let scraping: Promise<void> = Promise.resolve();
  const io: Io = {
    out: () => {},
    error: (text) => {
      errors.push(text);
      const port = /^ioasim: live metrics on http:\/\/[^/]+:(\d+)\/metrics$/.exec(text)?.[1];
      if (port === undefined) return;
      scraping = (async () => {
        for (;;) {
          const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
          if (response === null) return;
          expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
          const text = await response.text();
          scrapes.push(text);
          if (/^ioasim_run_finished\{[^}]*\} 1$/m.test(text)) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
    },
    tty: false,
  };
  return { io, scrapes, errors, done: () => scraping };
}

/** The first scrape that shows the run in progress with faults raised, or undefined. */
export function scrapeDuringRun(scrapes: readonly string[]): ReturnType<typeof exposition> | undefined {
  return scrapes
    .map(exposition)
    .find(({ samples }) => samples.some((sample) => sample.name === 'ioasim_run_finished' && sample.value === 0) && samples.some((sample) => sample.name === 'ioasim_fault_groups_raised_total' && sample.value > 0));
}

/** The first scrape text that shows the run in progress with faults raised, or undefined. */
export function scrapeTextDuringRun(scrapes: readonly string[]): string | undefined {
  return scrapes.find((text) => /^ioasim_run_finished\{[^}]*\} 0$/m.test(text) && /^ioasim_fault_groups_raised_total\{[^}]*\} [1-9]/m.test(text));
}

let promtoolWarned = false;

/**
 * `promtool check metrics` on a scrape: its complaints (none = accepted), or null when promtool is not
 * installed, said loudly once (Debian: apt-get install prometheus).
 */
export function promtoolCheck(text: string): string[] | null {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error !== undefined) {
    if (!promtoolWarned) console.warn('\n*** SKIPPED promtool check metrics: promtool not found (install it: apt-get install prometheus) ***\n');
    promtoolWarned = true;
    return null;
  }
  const complaints = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return result.status === 0 ? [] : complaints.length > 0 ? complaints : [`promtool exited ${String(result.status)}`];
}
