/**
 * Validation of a whole topology input: its shape (the schema) and the rules
 * across its fields (names, references, attachments, fleet, timeline, chaos),
 * all at once, so that one run reports every error of a file.
 *
 * The input is typed only when both pass; normalize.ts never sees an input
 * that breaks a rule.
 */
import type { Finding } from './errors.js';
import { chaosRules } from './chaos-rules.js';
import { costRules } from './cost-rules.js';
import { fleetRules } from './fleet.js';
import type { HostFacts } from './host-facts.js';
import { duplicateFindings, hostRules } from './host-rules.js';
import { rawList, rawObject } from './raw.js';
import { topologySchema } from './schema.js';
import type { TopologyInput } from './schema.js';
import { expectedMessage, shapeFindings } from './shape.js';
import { timelineRules } from './timeline-rules.js';

export type Validation =
  | { readonly ok: true; readonly input: TopologyInput }
  | { readonly ok: false; readonly findings: readonly Finding[] };

function ruleFindings(raw: unknown): Finding[] {
  const root = rawObject(raw);
  if (root === null) return [];
  const findings = duplicateFindings(root['hosts'], ['hosts'], 'host', '');
  const hosts = new Map<string, HostFacts>();
  for (const { item, index } of rawList(root['hosts'])) {
    const { facts, findings: hostFindings } = hostRules(item, ['hosts', index]);
    findings.push(...hostFindings);
    if (facts.name !== null && !hosts.has(facts.name)) hosts.set(facts.name, facts);
  }
  const { directory, findings: fleetFindings } = fleetRules(root['fleet'], [...hosts.keys()]);
  findings.push(...fleetFindings);
  findings.push(...timelineRules(root['timeline'], hosts, directory));
  findings.push(...chaosRules(root['chaos'], hosts, directory));
  findings.push(...costRules(root));
  return findings;
}

export function topologyValidate(raw: unknown): Validation {
  const parsed = topologySchema.safeParse(raw, { error: expectedMessage });
  const findings = parsed.success ? [] : shapeFindings(raw, parsed.error.issues);
  if (!parsed.success && rawObject(raw) === null) return { ok: false, findings };
  findings.push(...ruleFindings(raw));
  if (!parsed.success || findings.length > 0) return { ok: false, findings };
  return { ok: true, input: parsed.data };
}
