/**
 * The terminal summary of a run: a few readable tables. Colour only when
 * standard output is a terminal.
 */
import { HOPS, abandonedAccessLine, type Report } from '@ioasim/sim';

export type Style = { readonly bold: (text: string) => string; readonly red: (text: string) => string; readonly green: (text: string) => string };

export function styleFor(tty: boolean): Style {
  const wrap = (code: string) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { bold: wrap('1'), red: wrap('31'), green: wrap('32') };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))).join('  '))
    .join('\n');
}

export function durationFormat(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)}us`;
  return `${ns}ns`;
}

export function summaryFormat(report: Report, style: Style): string {
  const faults = report.faults;
  const lines: string[] = [];
  const violations = report.invariants.reduce((sum, invariant) => sum + invariant.violations, 0);
  lines.push(
    style.bold(`ioasim ${report.ioasim}  ${report.topology.name}`) +
      `  seed ${report.seed}  ${report.topology.hosts} host(s), ${report.topology.devices} device(s), ${report.topology.ioasids} ioasid(s)`,
  );
  // A distributed run has no simulated time: its span is wall-clock time on NATS.
  const span = report.distributed === undefined ? 'simulated' : 'ran on NATS for';
  lines.push(`${span} ${durationFormat(report.simulatedNs)} in ${report.wallMs} ms wall` +
    (report.wallMs > 0 ? `  (${Math.round(faults.raised / (report.wallMs / 1000)).toLocaleString('en-US')} faults/s)` : ''));
  lines.push('');
  lines.push(style.bold('fault groups'));
  lines.push(table([
    ['raised', 'delivered', 'responded', 'auto', 'abandoned', 'success', 'invalid', 'failure', 'dropped'],
    [faults.raised, faults.delivered, faults.responded, faults.autoResponded, faults.abandoned, faults.success, faults.invalid, faults.failure, faults.dropped].map(String),
  ]));
  if (faults.inFlightAtCut > 0) {
    lines.push(`in flight at the cut-off (--until ${durationFormat(report.untilNs ?? report.simulatedNs)}): ${faults.inFlightAtCut} group(s), raised and not yet answered`);
  }
  lines.push(...accessesSummary(report, style));
  const causes = Object.entries(faults.autoRespondedByCause).filter(([, count]) => count > 0);
  if (causes.length > 0) lines.push(`auto-responded by cause: ${causes.map(([cause, count]) => `${cause} ${count}`).join(', ')}`);
  const rejected = Object.entries(faults.rejectedResponses).filter(([, count]) => count > 0);
  if (rejected.length > 0) lines.push(`rejected responses: ${rejected.map(([cause, count]) => `${cause} ${count}`).join(', ')}`);
  if (faults.securityEvents > 0) lines.push(style.red(`security events: ${faults.securityEvents}`));
  const chaos = report.chaos;
  const actions = Object.entries(chaos.actions).filter(([, count]) => count > 0);
  if (chaos.rules > 0 || actions.length > 0) {
    const did = actions.length === 0 ? 'nothing happened' : actions.map(([action, count]) => `${action} ${count.toLocaleString('en-US')}`).join(', ');
    lines.push(style.bold(`chaos: ${chaos.rules} rule(s), ${chaos.delivery}: ${did}`));
  }
  if (chaos.idleRules.length > 0) {
    lines.push(style.red(`chaos rule(s) ${chaos.idleRules.map((rule) => `chaos[${rule}]`).join(', ')} did nothing: a match that took no message, or a crash or partition outside the run`));
  }
  lines.push('');
  lines.push(style.bold('latency, page request to PRG response'));
  const latency = report.latencyNs;
  lines.push(table([
    ['p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
    [latency.p50, latency.p90, latency.p99, latency.p999, latency.max, latency.mean].map(durationFormat),
  ]));
  const hops = report.load.hopsNs;
  if (hops.handler.count > 0) {
    lines.push('');
    lines.push(style.bold('latency per hop'));
    lines.push(table([
      ['hop', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
      ...HOPS.map((hop) => [hop, ...[hops[hop].p50, hops[hop].p90, hops[hop].p99, hops[hop].p999, hops[hop].max, hops[hop].mean].map(durationFormat)]),
    ]));
  }
  if (report.overflows.priQueue > 0) lines.push(style.red(`PRI queue overflows: ${report.overflows.priQueue}`));
  for (const row of report.overflowsByDevice.slice(0, 20)) {
    const pasid = row.pasid === null ? 'RID' : `PASID ${row.pasid}`;
    const causes = [row.priQueueFull > 0 ? `${row.priQueueFull} queue full` : '', row.priQuota > 0 ? `${row.priQuota} over quota` : ''].filter((cause) => cause !== '').join(', ');
    lines.push(`  ${row.host}/${row.iommu}: ${row.device} ${pasid} lost ${row.dropped} page request(s) (${causes})`);
  }
  lines.push('');
  lines.push(style.bold('per ioasid'));
  lines.push(table([
    ['host', 'ioasid', 'space', 'owner', 'delivered', 'responded'],
    ...report.perIoasid.slice(0, 20).map((row) => [row.host, String(row.ioasid), row.name, row.owner, String(row.delivered), String(row.responded)]),
  ]));
  if (report.perIoasid.length > 20) lines.push(`… and ${report.perIoasid.length - 20} more (see --json)`);
  lines.push(...messagesSummary(report, style));
  lines.push('');
  lines.push(style.bold('invariants'));
  for (const invariant of report.invariants) {
    const verdict = invariant.violations === 0 ? style.green('ok') : style.red(`${invariant.violations} violation(s)`);
    lines.push(`  ${String(invariant.id)} ${invariant.name.padEnd(10)} ${verdict}`);
    for (const example of invariant.examples) lines.push(`      at ${durationFormat(example.t)}: ${example.message}`);
  }
  if (violations > 0) lines.push(style.red(`reproduce with: --seed ${report.seed}${report.untilNs === null ? '' : ` --until ${report.untilNs}ns`}`));
  return lines.join('\n');
}

/**
 * The accesses' account, when some did not complete or fail: abandoned with
 * their translation request, stuck, or in flight at the cut-off. Nothing is
 * printed when every access ended.
 */
function accessesSummary(report: Report, style: Style): string[] {
  const accesses = report.accesses;
  if (accesses.abandoned + accesses.stuck + accesses.inFlightAtCut === 0) return [];
  const count = (value: number): string => value.toLocaleString('en-US');
  const open = accesses.inFlightAtCut > 0 ? `${count(accesses.inFlightAtCut)} in flight at the cut-off` : `${count(accesses.stuck)} stuck`;
  const lines = [
    `accesses: ${count(accesses.issued)} issued, ${count(accesses.completed)} completed, ${count(accesses.failed)} failed, ` +
      `${count(accesses.abandoned)} abandoned, ${open}; ${count(accesses.translationsRetried)} translation request(s) re-sent`,
  ];
  const first = accesses.abandonedFirst[0];
  if (first !== undefined) lines.push(style.red(`  first abandoned: ${abandonedAccessLine(first)}`));
  return lines;
}

/**
 * Frames per actor and per subject kind: who talks to whom, and where frames
 * were lost or doubled. An actor that exchanged no frame (the vDPA frontend
 * of a host without a vDPA owner) has no row here; the JSON report keeps it.
 */
function messagesSummary(report: Report, style: Style): string[] {
  const messages = report.messages;
  const actors = messages.perActor.filter((row) => row.sent + row.received + row.dropped + row.duplicated + row.pending > 0);
  if (actors.length === 0) return [];
  const counts = (row: { sent: number; received: number; dropped: number; duplicated: number }) => [row.sent, row.received, row.dropped, row.duplicated].map(String);
  const byKind = new Map<string, { sent: number; received: number; dropped: number; duplicated: number }>();
  for (const actor of actors) {
    for (const [kind, row] of Object.entries(actor.bySubjectKind)) {
      const total = byKind.get(kind) ?? { sent: 0, received: 0, dropped: 0, duplicated: 0 };
      total.sent += row.sent;
      total.received += row.received;
      total.dropped += row.dropped;
      total.duplicated += row.duplicated;
      byKind.set(kind, total);
    }
  }
  const lines = ['', style.bold('messages per actor')];
  lines.push(table([
    ['host', 'actor', 'sent', 'received', 'dropped', 'duplicated', 'pending'],
    ...actors.slice(0, 20).map((row) => [row.host, row.actor, ...counts(row), String(row.pending)]),
  ]));
  if (actors.length > 20) lines.push(`… and ${actors.length - 20} more (see --json)`);
  lines.push('', style.bold('messages per subject kind'));
  lines.push(table([['subject kind', 'sent', 'received', 'dropped', 'duplicated'], ...[...byKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, row]) => [kind, ...counts(row)])]));
  return lines;
}
