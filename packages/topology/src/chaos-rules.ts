/**
 * The rules of chaos, beyond their shape: a message rule acts (drops,
 * duplicates, delays or reorders), a partition ends after it starts, and a
 * crash names a host that exists after fleet expansion.
 */
import { finding, quote } from './errors.js';
import type { Finding } from './errors.js';
import { hostNamed } from './fleet.js';
import type { HostDirectory } from './fleet.js';
import type { HostFacts } from './host-facts.js';
import { rawDuration, rawList, rawName } from './raw.js';

const MESSAGE_ACTIONS = ['drop', 'duplicate', 'delay', 'reorder'] as const;

export function chaosRules(chaos: unknown, hosts: ReadonlyMap<string, HostFacts>, directory: HostDirectory): Finding[] {
  const findings: Finding[] = [];
  for (const { item, index } of rawList(chaos)) {
    const path = ['chaos', index];
    if (item['match'] !== undefined && MESSAGE_ACTIONS.every((action) => item[action] === undefined)) {
      findings.push(finding(path, `a message rule without an action; expected at least one of: ${MESSAGE_ACTIONS.join(', ')}`));
    }
    if (item['partition'] !== undefined) {
      const from = rawDuration(item['from']);
      const to = rawDuration(item['to']);
      if (from !== null && to !== null && to < from) {
        findings.push(finding([...path, 'to'], `to ${quote(item['to'])} is before from ${quote(item['from'])}; expected to at or after from`));
      }
    }
    const host = item['crash'] === undefined ? null : rawName(item['host']);
    if (host !== null) {
      const named = hostNamed(host, [...path, 'host'], hosts, directory, false);
      if (!Array.isArray(named)) findings.push(named);
    }
  }
  return findings;
}
