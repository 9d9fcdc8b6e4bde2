/**
 * What a timeline viewer needs of a Chrome Trace Event file, checked on its
 * records: no two slices on one track (pid, tid) overlap, not even by the
 * nanosecond a viewer may add or drop when it reads microsecond timestamps;
 * and every flow event lies inside a slice of its own track, the slice it
 * binds to.
 */
export type TraceRecord = {
  ph: string;
  name: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  id?: number;
  args?: Record<string, unknown>;
};

type Span = { readonly fromNs: number; readonly toNs: number; readonly name: string };

/** The X slices of each track, in integer nanoseconds, sorted by start. */
export function tracksOf(records: readonly TraceRecord[]): Map<string, Span[]> {
  const tracks = new Map<string, Span[]>();
  for (const record of records) {
    if (record.ph !== 'X') continue;
    const fromNs = Math.round((record.ts ?? 0) * 1000);
    const span = { fromNs, toNs: fromNs + Math.round((record.dur ?? 0) * 1000), name: record.name };
    const key = `${record.pid}/${String(record.tid)}`;
    const spans = tracks.get(key);
    if (spans === undefined) tracks.set(key, [span]);
    else spans.push(span);
  }
  for (const spans of tracks.values()) spans.sort((a, b) => a.fromNs - b.fromNs || a.toNs - b.toNs);
  return tracks;
}

/** Every pair of slices on one track that overlap or touch (one starts where, or before, the other ends), described. */
export function overlapsFind(records: readonly TraceRecord[]): string[] {
  const found: string[] = [];
  for (const [track, spans] of tracksOf(records)) {
    for (let index = 1; index < spans.length; index++) {
      const before = spans[index - 1] as Span;
      const after = spans[index] as Span;
      if (after.fromNs <= before.toNs) found.push(`track ${track}: "${before.name}" [${before.fromNs}, ${before.toNs}] and "${after.name}" [${after.fromNs}, ${after.toNs}]`);
    }
  }
  return found;
}

/** Every flow event that lies in no slice of its own track, described. */
export function flowsUnbound(records: readonly TraceRecord[]): string[] {
  const tracks = tracksOf(records);
  const unbound: string[] = [];
  for (const record of records) {
    if (record.ph !== 's' && record.ph !== 't' && record.ph !== 'f') continue;
    const atNs = Math.round((record.ts ?? 0) * 1000);
    const spans = tracks.get(`${record.pid}/${String(record.tid)}`) ?? [];
    if (!spans.some((span) => span.fromNs <= atNs && atNs <= span.toNs)) unbound.push(`flow ${String(record.id)} ${record.ph} at ${atNs} ns on ${record.pid}/${String(record.tid)}`);
  }
  return unbound;
}
