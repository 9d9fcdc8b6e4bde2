/**
 * The timeline of a run: the topology's control operations (attach, detach,
 * replace, map, unmap, destroy, unplug), each sent at its time to the
 * manager of every host it concerns, as its owner would send it, on the
 * host's control subject. The embedded runner plays it on virtual time, the
 * coordinator of a distributed run on the run's wall clock; both record one
 * outcome per operation and host, and stop a device once its unplug is
 * accepted.
 *
 * Invariants: an operation leaves `atNs` after the run's start (at once if
 * that is already past); `pending.count` is the operations still unanswered;
 * every operation ends in exactly one outcome (the bus answers a request
 * that times out or finds no responder).
 */
import type { Bus, Clock } from '@ioasim/bus';
import {
  frameEncode,
  hostSubjects,
  type ControlOperation,
  type ControlRequest,
  type HostConfig,
  type TimelineEntry,
} from '@ioasim/protocol';
import { controlRepliesOf } from '@ioasim/service-frontend';
import type { TimelineOutcome } from './report.js';

export type TimelinePlayer = {
  readonly bus: Bus;
  readonly clock: Clock;
  readonly run: string;
  /** The sender named in the request frames (`runner`, `coordinator`). */
  readonly sender: string;
  /** The run's start on `clock`: each operation leaves `atNs` after it. */
  readonly startNs: number;
  /** How long to wait for the manager's answer. */
  readonly timeoutNs: number;
  /** A device whose unplug the manager accepted: stop it. */
  readonly unplug: (host: string, device: string) => void;
};

/** Schedules every operation of `entries` on every host it concerns; returns the count still unanswered. */
export function timelinePlay(
  entries: readonly TimelineEntry[],
  hosts: readonly HostConfig[],
  player: TimelinePlayer,
  outcomes: TimelineOutcome[],
): { count: number } {
  const { bus, clock } = player;
  const pending = { count: 0 };
  let sequence = 0;
  for (const entry of entries) {
    for (const host of hosts) {
      const operation = timelineOperation(host, entry);
      if (operation === null) continue;
      pending.count++;
      const delayNs = Math.max(0, player.startNs + entry.atNs - clock.nowNs());
      clock.afterNs(delayNs, () => {
        const request: ControlRequest = { owner: operation.owner, operation: operation.operation };
        const data = frameEncode('controlRequest', player.sender, ++sequence, [request]);
        bus.request(hostSubjects(player.run, host.name).mgrCtl(), data, player.timeoutNs, (result) => {
          const reply = controlRepliesOf(result)?.[0];
          const ok = reply?.ok === true;
          const message = reply === undefined ? (result.ok ? 'bad reply' : result.message) : reply.ok ? 'ok' : reply.message;
          outcomes.push({ atNs: entry.atNs, host: host.name, operation: entry.action.kind, ok, message });
          if (ok && operation.operation.op === 'unplug') player.unplug(host.name, operation.operation.device);
          pending.count--;
        });
      });
    }
  }
  return pending;
}

/** The control request a timeline entry makes on a host, with the owner that makes it; null if not on this host. */
export function timelineOperation(host: HostConfig, entry: TimelineEntry): { owner: string; operation: ControlOperation } | null {
  if (entry.host !== null && entry.host !== host.name) return null;
  const action = entry.action;
  const deviceOwner = (name: string) => host.devices.find((device) => device.name === name)?.owner;
  const spaceOwner = (name: string) => host.spaces.find((space) => space.name === name)?.owner;
  const pages = (count: number) => Array.from({ length: count }, (_, page) => page);
  switch (action.kind) {
    case 'detach': {
      const owner = deviceOwner(action.device);
      return owner === undefined ? null : { owner, operation: { op: 'detach', device: action.device, pasid: action.pasid, asid: action.asid } };
    }
    case 'attach':
    case 'replace': {
      const owner = deviceOwner(action.device);
      if (owner === undefined) return null;
      return { owner, operation: { op: action.kind, device: action.device, pasid: action.pasid, asid: action.asid, ioasid: action.space } };
    }
    case 'map':
    case 'unmap': {
      const owner = spaceOwner(action.space);
      if (owner === undefined) return null;
      return action.kind === 'map'
        ? { owner, operation: { op: 'map', ioasid: action.space, pages: pages(action.pages), perm: 3 } }
        : { owner, operation: { op: 'unmap', ioasid: action.space, pages: pages(action.pages) } };
    }
    case 'destroy': {
      const owner = spaceOwner(action.space);
      return owner === undefined ? null : { owner, operation: { op: 'destroy', ioasid: action.space } };
    }
    case 'unplug': {
      const owner = deviceOwner(action.device);
      return owner === undefined ? null : { owner, operation: { op: 'unplug', device: action.device } };
    }
    default: {
      const unknown: never = action;
      return unknown;
    }
  }
}
