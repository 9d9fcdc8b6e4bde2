/**
 * The five services of one host, started together on one bus and clock.
 */
import type { ServiceOptions } from '@ioasim/bus';
import type { HostConfig } from '@ioasim/protocol';
import { DeviceService, type DeviceWorkload } from '@ioasim/service-device';
import { FrontendService } from '@ioasim/service-frontend';
import { ManagerService } from '@ioasim/service-ioasid-manager';
import { IommuService } from '@ioasim/service-iommu';
import type { AnyActorRef } from 'xstate';

export type HostServices = {
  readonly host: HostConfig;
  readonly device: DeviceService;
  readonly iommu: IommuService;
  readonly manager: ManagerService;
  /** One frontend service per frontend kind, each holding the owners of its kind. */
  readonly vfio: FrontendService;
  readonly vdpa: FrontendService;
};

/**
 * `actorParent`: the parent of the host's actors, shared by every host of an
 * embedded run (actorsParentStart); without it, the host's device service
 * makes one for the host. `workloads`: the host's workloads, when they were
 * made before its services (see fleet-hosts.ts).
 */
export function hostServicesStart(options: ServiceOptions, actorParent?: AnyActorRef, workloads?: DeviceWorkload[]): HostServices {
  // The host's actors share the device service's actor parent, and so one xstate actor system.
  const device = new DeviceService(options, actorParent, workloads);
  return {
    host: options.host,
    device,
    iommu: new IommuService(options, device.actorParent),
    manager: new ManagerService(options, undefined, device.actorParent),
    vfio: new FrontendService(options, 'vfio', device.actorParent),
    vdpa: new FrontendService(options, 'vdpa', device.actorParent),
  };
}

