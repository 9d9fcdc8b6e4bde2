/**
 * Time on the real clock. A distributed run uses RealClock: there is no
 * virtual time to skip ahead in, so the modeled costs of the topology (IOMMU,
 * manager and handler service times) either become real delays or vanish:
 *
 *   real  every modeled cost is slept: it becomes a real timer through
 *         RealClock. Node timers have 1 ms resolution, so a cost under 1 ms
 *         takes about 1 ms of wall time. Latencies are wall-clock and include
 *         the costs.
 *   skip  every modeled cost is 0 (the default): the run measures the
 *         services and NATS themselves; latencies are wall-clock, costs
 *         excluded.
 *
 * In both modes the link costs of `links:` are not applied: the links are
 * real NATS hops. Workload arrivals keep their rates, on the wall clock.
 * Protocol timers meant for modeled time (deviceTimeout, translationTimeout,
 * responseTimeout) are raised to at least REAL_TIMEOUT_MIN_NS: a NATS round
 * trip through four processes under load takes milliseconds, far above the
 * 1 ms defaults.
 */
import type { Cost, Topology, TimeMode } from '@ioasim/protocol';

/** The least deviceTimeout, translationTimeout and responseTimeout a run on the real clock uses. */
export const REAL_TIMEOUT_MIN_NS = 5_000_000_000;

const ZERO: Cost = { dist: 'fixed', valueNs: 0 };

/** The topology as a distributed run in `mode` uses it. */
export function topologyForRealClock(topology: Topology, mode: TimeMode): Topology {
  const cost = (value: Cost): Cost => (mode === 'skip' ? ZERO : value);
  const settings = topology.settings;
  return {
    ...topology,
    hosts: topology.hosts.map((host) => ({
      ...host,
      iommus: host.iommus.map((iommu) => ({ ...iommu, service: cost(iommu.service) })),
      manager: { ...host.manager, service: cost(host.manager.service) },
      spaces: host.spaces.map((space) => ({ ...space, handler: { ...space.handler, service: cost(space.handler.service) } })),
    })),
    settings: {
      ...settings,
      deviceTimeoutNs: Math.max(settings.deviceTimeoutNs, REAL_TIMEOUT_MIN_NS),
      translationTimeoutNs: Math.max(settings.translationTimeoutNs, REAL_TIMEOUT_MIN_NS),
      responseTimeoutNs: settings.responseTimeoutNs === null ? null : Math.max(settings.responseTimeoutNs, REAL_TIMEOUT_MIN_NS),
    },
  };
}

/** The mean modeled cost of one fault round trip (links and services), for comparison with wall latencies. */
export function modeledRoundTripNs(topology: Topology): number {
  const mean = (cost: Cost): number =>
    cost.dist === 'fixed' ? cost.valueNs : cost.dist === 'exp' ? cost.meanNs : (cost.minNs + cost.maxNs) / 2;
  const links = topology.links;
  const linkNs = 2 * (mean(links.deviceIommu) + mean(links.iommuManager) + mean(links.managerHandler));
  const host = topology.hosts[0];
  if (host === undefined) return linkNs;
  const average = (costs: readonly Cost[]): number => (costs.length === 0 ? 0 : costs.reduce((sum, cost) => sum + mean(cost), 0) / costs.length);
  return Math.round(
    linkNs +
      average(host.iommus.map((iommu) => iommu.service)) +
      mean(host.manager.service) +
      average(host.spaces.map((space) => space.handler.service)),
  );
}
