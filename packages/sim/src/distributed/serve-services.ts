/**
 * The services a serve process runs: one entry per (service kind, host) of
 * its shard, started by kind, and what it reports of them at the end of a
 * run (final metrics, device states).
 */
import type { ServiceOptions, ServicePorts } from '@ioasim/bus';
import type { ServiceKind } from '@ioasim/protocol';
import { DeviceService } from '@ioasim/service-device';
import { FrontendService } from '@ioasim/service-frontend';
import { ManagerService } from '@ioasim/service-ioasid-manager';
import { IommuService } from '@ioasim/service-iommu';

export type AnyService = {
  readonly ports: ServicePorts;
  readonly errors: unknown[];
  metricsPublish(): void;
  stop(): void;
};

/** One service of the process; `service` is replaced when chaos crashes and restarts it. */
export type Running = { readonly kind: ServiceKind; readonly host: string; readonly options: ServiceOptions; service: AnyService };

export function serviceStart(kind: ServiceKind, options: ServiceOptions): AnyService {
  switch (kind) {
    case 'device':
      return new DeviceService(options);
    case 'iommu':
      return new IommuService(options);
    case 'ioasid-manager':
      return new ManagerService(options);
    case 'vfio':
    case 'vdpa':
      return new FrontendService(options, kind);
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
}

/** Publishes every actor's final metrics and message counts, and flushes every outbox. */
export function metricsFinal(running: readonly Running[]): void {
  for (const entry of running) {
    entry.service.metricsPublish();
    entry.service.ports.messageCountsPublish();
    entry.service.ports.flush();
  }
}

/** The errors of the actors that stopped, each named by its host and service kind. */
export function actorErrors(running: readonly Running[]): string[] {
  return running.flatMap((entry) => entry.service.errors.map((error) => `${entry.host}/${entry.kind}: ${String(error)}`.slice(0, 4096)));
}

export function deviceStates(running: readonly Running[]): Record<string, string> {
  const states: Record<string, string> = {};
  for (const entry of running) {
    if (!(entry.service instanceof DeviceService)) continue;
    for (const device of entry.service.devices.keys()) states[`${entry.host}/${device}`] = entry.service.stateOf(device);
  }
  return states;
}
