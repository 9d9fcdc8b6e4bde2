/**
 * The chaos section of the HTML report, for a run that had chaos: its rules
 * (and which did nothing), what chaos did, how the protocol recovered
 * (re-issued groups, re-sent translation requests, answers that came late
 * or twice), and the verdicts `ioasim chaos` would give the seed: safety
 * (the invariants) and liveness (nothing stuck or abandoned, groups or
 * accesses). Everything but the rules' text comes from the JSON report.
 */
import { CHAOS_ACTIONS, type Topology } from '@ioasim/protocol';
import { chaosRuleFormat } from '@ioasim/topology';
import { abandonedAccessLine } from './access-account.js';
import type { Report } from './report.js';
import { htmlEscape } from './svg-chart.js';

type Table = (headers: readonly string[], rows: readonly (readonly (string | number)[])[], nameColumns?: number) => string;

/** True when the run had chaos: rules, or actions some other way (a probe's). */
export function reportHadChaos(report: Report): boolean {
  return report.chaos.rules > 0 || Object.values(report.chaos.actions).some((count) => count > 0);
}

/**
 * The seed's verdict as a chaos campaign judges it (chaos/outcome.ts), from
 * the report: safety, a violation other than work left in flight; liveness,
 * a group or an access stuck or abandoned.
 */
function verdictOf(report: Report): { readonly verdict: 'pass' | 'safety' | 'liveness'; readonly safety: number; readonly unended: number } {
  const violations = report.invariants.reduce((sum, invariant) => sum + invariant.violations, 0);
  const devicesStuck = report.accesses.stuck > 0 ? report.perDevice.filter((device) => device.accessesInFlight > 0).length : 0;
  const safety = violations - report.faults.stuck - devicesStuck;
  const unended = report.faults.stuck + report.faults.abandoned + report.accesses.stuck + report.accesses.abandoned;
  return { verdict: safety > 0 ? 'safety' : unended > 0 ? 'liveness' : 'pass', safety, unended };
}

export function chaosSection(report: Report, topology: Topology | undefined, table: Table): string {
  const chaos = report.chaos;
  const parts: string[] = ['<h2>Chaos</h2>'];
  parts.push(
    `<p>${chaos.rules} rule(s), delivery ${htmlEscape(chaos.delivery)}: chaos is on while the workloads run, then heals, and the run drains.</p>`,
  );
  const idle = new Set(chaos.idleRules);
  if (topology !== undefined && topology.chaos.length === chaos.rules) {
    parts.push(
      table(
        ['rule', 'what it does', 'in this run'],
        topology.chaos.map((rule, index) => [`chaos[${index}]`, chaosRuleFormat(rule), idle.has(index) ? 'did nothing: a match that took no message, or outside the run' : 'acted']),
        2,
      ),
    );
  } else if (idle.size > 0) {
    parts.push(`<p class="bad">rule(s) ${htmlEscape([...idle].map((rule) => `chaos[${rule}]`).join(', '))} did nothing</p>`);
  }
  parts.push('<p>What chaos did</p>');
  parts.push(table([...CHAOS_ACTIONS], [CHAOS_ACTIONS.map((action) => chaos.actions[action])], 0));
  const faults = report.faults;
  parts.push('<p>How the protocol recovered</p>');
  parts.push(
    table(
      ['groups re-issued', 'translation requests re-sent', 'late PRG responses', 'second answers rejected', 'records dropped'],
      [[faults.retried, report.accesses.translationsRetried, faults.lateResponses, faults.rejectedResponses.answeredCookie, faults.dropped]],
      0,
    ),
  );
  const { verdict, safety, unended } = verdictOf(report);
  const unplugged = report.perDevice.filter((device) => device.state === 'unplugged').length;
  parts.push(
    '<ul>' +
      `<li class="${safety === 0 ? 'ok' : 'bad'}">safety: ${safety === 0 ? 'every invariant held' : `${safety} violation(s), see Invariants`}</li>` +
      `<li class="${unended === 0 ? 'ok' : 'bad'}">liveness: fault groups ${faults.stuck} stuck, ${faults.abandoned} abandoned; ` +
      `accesses ${report.accesses.stuck} stuck, ${report.accesses.abandoned} abandoned</li>` +
      '</ul>',
  );
  const caveat = unplugged > 0 && faults.abandoned > 0 ? ` (unless every abandoned group was on one of the ${unplugged} device(s) the timeline unplugged, which is the protocol's answer)` : '';
  parts.push(`<p class="${verdict === 'pass' ? 'ok' : 'bad'}">verdict, as ioasim chaos judges a seed: ${verdict}${htmlEscape(caveat)}</p>`);
  const first = report.accesses.abandonedFirst[0];
  if (first !== undefined) parts.push(`<p>first access abandoned: ${htmlEscape(abandonedAccessLine(first))}</p>`);
  return parts.join('\n');
}
