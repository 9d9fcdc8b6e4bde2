/**
 * @ioasim/sim/topology: the topology format alone (parse, validate, show as
 * a tree or a graph, its JSON Schema) for what reads a topology and runs
 * nothing: `ioasim validate`, `topo` and `schema`, and the cli's "did you
 * mean" for a misspelt option. It loads no actor, bus or NATS client. The
 * package's index exports the same.
 */
export {
  GRAPH_FORMATS,
  parseDuration,
  parseRate,
  suggestionFind,
  topology,
  topologyErrorFormat,
  topologyFromObject,
  topologyGraph,
  topologyJsonSchema,
  topologyLoad,
  topologyParse,
  topologyTree,
  type GraphFormat,
  type TopologyError,
  type TopologyResult,
} from '@ioasim/topology';
export type { Topology } from '@ioasim/protocol';
