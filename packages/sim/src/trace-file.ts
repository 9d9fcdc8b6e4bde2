/**
 * `--trace FILE`: the full trace of a run, as JSON Lines, one trace event per
 * line in the order the checker reads them (simulated time in an embedded
 * run; the coordinator's merged order in a distributed one). Chaos actions
 * are trace events too (`"kind":"chaos"`).
 *
 * The checker never keeps the trace; this file is the one place a whole run's
 * trace goes, and only when asked. Memory is bounded by one chunk: lines are
 * gathered up to CHUNK_CHARS and written then, so a run of a hundred million
 * events costs disk, not heap, and a write per chunk rather than per event.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ChaosTraceEvent, TraceEvent } from '@ioasim/protocol';

/** Characters gathered before a write: about a megabyte. */
const CHUNK_CHARS = 1 << 20;

export class TraceFile {
  private readonly file: number;
  private chunk: string[] = [];
  private chunkChars = 0;
  private closed = false;
  /** Events written (or gathered to be written) so far. */
  events = 0;

  constructor(readonly path: string) {
    this.file = openSync(path, 'w');
  }

  observe(event: TraceEvent | ChaosTraceEvent): void {
    if (this.closed) return;
    const line = JSON.stringify(event);
    this.chunk.push(line);
    this.chunkChars += line.length + 1;
    this.events++;
    if (this.chunkChars >= CHUNK_CHARS) this.flush();
  }

  /** Writes what is gathered and closes the file; later events are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.file);
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    writeSync(this.file, `${this.chunk.join('\n')}\n`);
    this.chunk = [];
    this.chunkChars = 0;
  }
}
