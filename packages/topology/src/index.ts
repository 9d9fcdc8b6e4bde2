/**
 * @ioasim/topology: the topology format of TOPOLOGY.md — loading YAML files,
 * validating them (every error at once, with its line and column), the
 * TypeScript builder, fleet expansion, the format's JSON Schema, and views of a
 * topology (a tree, a graph). It produces the normal form `Topology` declared
 * in @ioasim/protocol.
 */
export { topology, HostBuilder, TopologyBuilder } from './builder.js';
export type { Options } from './builder.js';
export { topologyErrorFormat } from './errors.js';
export type { TopologyError, TopologyResult } from './errors.js';
export { topologyJsonSchema } from './json-schema.js';
export { topologyFromObject, topologyLoad, topologyParse } from './load.js';
export type {
  AttachmentInput,
  ChaosRuleInput,
  CostInput,
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
export { GRAPH_FORMATS, topologyGraph, topologyGraphGroups } from './topology-graph.js';
export type { GraphEdge, GraphEdgeStyle, GraphFormat, GraphGroup, GraphNode, GraphNodeShape } from './topology-graph.js';
export { chaosRuleFormat, topologyTree } from './topology-tree.js';
export { DURATION_MAX_NS, RATE_MAX, durationFormat, parseDuration, parseRate, rateFormat } from './units.js';
export { ACCESS_COUNT_MAX, ENTRIES_MAX, MAPPED_PAGES_MAX, PAGES_MAX, RETRIES_MAX } from './schema.js';
export { DUPLICATE_KEY_MESSAGE, duplicateKeyOffsets } from './unique-keys.js';
export { suggestionFind } from './suggest.js';
