/**
 * The TypeScript builder: the same format as a YAML file, written as calls.
 *
 *   topology('name').seed(1)
 *     .host('h0', (h) => h.iommu('smmu0', { kind: 'smmuv3' }).owner('vm0', { frontend: 'vfio' }) ...)
 *     .fleet('h0', 10)
 *     .build();
 *
 * Options are typed from the schema's input types, so the builder accepts
 * exactly what a file may hold. It only gathers the input object: `build()`
 * validates and normalizes it by the same rules as a file (`toObject()` and
 * `toYaml()` give the input itself, and a file written by `toYaml()` loads to
 * the same topology).
 */
import { stringify } from 'yaml';
import type { TopologyResult } from './errors.js';
import { topologyFromObject } from './load.js';
import type {
  ChaosRuleInput,
  DeviceInput,
  HostInput,
  IommuInput,
  LinksInput,
  ManagerInput,
  OwnerInput,
  SettingsInput,
  SpaceInput,
  TimelineEntryInput,
  TopologyInput,
  WorkloadInput,
} from './schema.js';

/** Options of a named object: every field but its name, which the call takes first. */
export type Options<Input> = Omit<Input, 'name'>;

export class HostBuilder {
  readonly #name: string;
  readonly #iommus: IommuInput[] = [];
  #manager: ManagerInput | null = null;
  readonly #owners: OwnerInput[] = [];
  readonly #spaces: SpaceInput[] = [];
  readonly #devices: DeviceInput[] = [];
  readonly #workloads: WorkloadInput[] = [];

  constructor(name: string) {
    this.#name = name;
  }

  iommu(name: string, options: Options<IommuInput>): this {
    this.#iommus.push({ name, ...options });
    return this;
  }

  manager(options: ManagerInput): this {
    this.#manager = options;
    return this;
  }

  owner(name: string, options: Options<OwnerInput>): this {
    this.#owners.push({ name, ...options });
    return this;
  }

  space(name: string, options: Options<SpaceInput>): this {
    this.#spaces.push({ name, ...options });
    return this;
  }

  device(name: string, options: Options<DeviceInput>): this {
    this.#devices.push({ name, ...options });
    return this;
  }

  workload(options: WorkloadInput): this {
    this.#workloads.push(options);
    return this;
  }

  toObject(): HostInput {
    return {
      name: this.#name,
      ...(this.#iommus.length > 0 ? { iommus: [...this.#iommus] } : {}),
      ...(this.#manager === null ? {} : { manager: this.#manager }),
      ...(this.#owners.length > 0 ? { owners: [...this.#owners] } : {}),
      ...(this.#spaces.length > 0 ? { spaces: [...this.#spaces] } : {}),
      ...(this.#devices.length > 0 ? { devices: [...this.#devices] } : {}),
      ...(this.#workloads.length > 0 ? { workloads: [...this.#workloads] } : {}),
    };
  }
}

export class TopologyBuilder {
  readonly #name: string;
  #seed: number | null = null;
  readonly #hosts: HostBuilder[] = [];
  readonly #fleet: { template: string; count: number }[] = [];
  #links: LinksInput | null = null;
  readonly #timeline: TimelineEntryInput[] = [];
  #settings: SettingsInput | null = null;
  readonly #chaos: ChaosRuleInput[] = [];

  constructor(name: string) {
    this.#name = name;
  }

  seed(seed: number): this {
    this.#seed = seed;
    return this;
  }

  host(name: string, configure: (host: HostBuilder) => unknown = () => undefined): this {
    const host = new HostBuilder(name);
    configure(host);
    this.#hosts.push(host);
    return this;
  }

  /** Replaces host `template` by `count` copies named `<template>-0000` …. */
  fleet(template: string, count: number): this {
    this.#fleet.push({ template, count });
    return this;
  }

  links(links: LinksInput): this {
    this.#links = links;
    return this;
  }

  timeline(...entries: TimelineEntryInput[]): this {
    this.#timeline.push(...entries);
    return this;
  }

  settings(settings: SettingsInput): this {
    this.#settings = settings;
    return this;
  }

  chaos(...rules: ChaosRuleInput[]): this {
    this.#chaos.push(...rules);
    return this;
  }

  /** The input object, as a YAML file would hold it. */
  toObject(): TopologyInput {
    return {
      version: 1,
      name: this.#name,
      ...(this.#seed === null ? {} : { seed: this.#seed }),
      hosts: this.#hosts.map((host) => host.toObject()),
      ...(this.#fleet.length > 0 ? { fleet: [...this.#fleet] } : {}),
      ...(this.#links === null ? {} : { links: this.#links }),
      ...(this.#timeline.length > 0 ? { timeline: [...this.#timeline] } : {}),
      ...(this.#settings === null ? {} : { settings: this.#settings }),
      ...(this.#chaos.length > 0 ? { chaos: [...this.#chaos] } : {}),
    };
  }

  /** The input as a YAML file. */
  toYaml(): string {
    return stringify(this.toObject(), { indent: 2, lineWidth: 0 });
  }

  /** The topology, validated by the same rules as a file. */
  build(): TopologyResult {
    return topologyFromObject(this.toObject());
  }
}

export function topology(name: string): TopologyBuilder {
  return new TopologyBuilder(name);
}
