/**
 * Per-actor message counts in the report, from the `messages/<service>`
 * metrics records every service publishes at the end of a run (see
 * ServicePorts.messageCountsPublish in the bus package): for each service of
 * each host, frames sent, received, dropped and duplicated, in total and per
 * subject kind, and the records still pending in its outbox.
 *
 * Records of the same actor (a service restarted after a crash) are summed.
 * Rows come in topology order of hosts, then by service name.
 */
import { MESSAGE_COUNT_NAMES, type MessageCountName } from '@ioasim/bus';
import type { MetricsRecord, Topology } from '@ioasim/protocol';

export type MessageCountsRow = Record<MessageCountName, number>;

export type ActorMessages = MessageCountsRow & {
  readonly host: string;
  /** The service, as in its frames' sender: `device`, `iommu`, `ioasid-manager`, `vfio`, `vdpa`. */
  readonly actor: string;
  /** Records waiting in the actor's outbox when the run ended. */
  pending: number;
  /** The counts by subject kind (`iommuPri`, `devPrgr`...), kinds in name order. */
  readonly bySubjectKind: Record<string, MessageCountsRow>;
};

export type MessagesReport = {
  readonly totals: MessageCountsRow & { readonly pending: number };
  readonly perActor: readonly ActorMessages[];
};

export const MESSAGES_ACTOR_PREFIX = 'messages/';

export function messagesReport(topology: Topology, metrics: readonly MetricsRecord[]): MessagesReport {
  const hostOrder = new Map(topology.hosts.map((host, index) => [host.name, index]));
  const rows = new Map<string, ActorMessages>();
  for (const record of metrics) {
    if (!record.actor.startsWith(MESSAGES_ACTOR_PREFIX)) continue;
    const actor = record.actor.slice(MESSAGES_ACTOR_PREFIX.length);
    const key = `${record.host}/${actor}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { host: record.host, actor, sent: 0, received: 0, dropped: 0, duplicated: 0, pending: 0, bySubjectKind: {} };
      rows.set(key, row);
    }
    for (const [counter, value] of Object.entries(record.counters)) {
      if (counter === 'pending') {
        row.pending += value;
        continue;
      }
      const [name, kind] = counter.split('.') as [string, string | undefined];
      if (kind === undefined || !(MESSAGE_COUNT_NAMES as readonly string[]).includes(name)) continue;
      const countName = name as MessageCountName;
      row[countName] += value;
      const byKind = (row.bySubjectKind[kind] ??= { sent: 0, received: 0, dropped: 0, duplicated: 0 });
      byKind[countName] += value;
    }
  }
  const perActor = [...rows.values()]
    .sort((a, b) => (hostOrder.get(a.host) ?? 0) - (hostOrder.get(b.host) ?? 0) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) || (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0))
    .map((row) => ({ ...row, bySubjectKind: Object.fromEntries(Object.entries(row.bySubjectKind).sort(([a], [b]) => (a < b ? -1 : 1))) }));
  const totals = { sent: 0, received: 0, dropped: 0, duplicated: 0, pending: 0 };
  for (const row of perActor) {
    for (const name of MESSAGE_COUNT_NAMES) totals[name] += row[name];
    totals.pending += row.pending;
  }
  return { totals, perActor };
}
