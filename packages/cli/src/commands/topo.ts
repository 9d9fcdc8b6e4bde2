/**
 * `ioasim topo show <file>` and `ioasim topo graph <file> --format dot|mermaid`:
 * see a topology before running it. A file with errors prints them as
 * `validate` does and exits 2; a fleet is summarized, never printed copy by copy.
 */
import { GRAPH_FORMATS, topologyGraph, topologyTree, type GraphFormat } from '@ioasim/sim/topology';
import { UsageError, argumentsParse } from '../arguments.js';
import { EXIT, type CommandMain, type Io } from '../io.js';
import { topologyRead } from './topology-read.js';

const HELP = `Usage: ioasim topo <show|graph> <topology.yaml> [options]

Shows a topology without running it.

  topo show <topology.yaml>
      the tree: hosts, IOMMUs, owners, spaces (kind, parent, owner, handler),
      devices (Stream ID, PRI, each attachment by RID, PASID or ASID),
      workloads; then links, settings, timeline and chaos
  topo graph <topology.yaml> [--format dot|mermaid]
      a graph to render: devices -> spaces (labelled RID, PASID n, ASID n),
      nested spaces -> their parent, spaces -> owners, devices -> IOMMUs

A fleet is shown once, as its template, titled with its copies.
Run 'ioasim topo show --help' or 'ioasim topo graph --help' for more.

Exit codes: 0 shown, 2 bad arguments or an invalid file.`;

const SHOW_HELP = `Usage: ioasim topo show <topology.yaml>

Prints the topology as a tree: each host (a fleet once, as its template) with
its manager, IOMMUs (kind, queues), owners (frontend, devices, spaces),
spaces (kind, parent, owner, fault queue, handler policy and service),
devices (Stream ID in hex, PRI credits / stall / no PRI, VF, attachments by
RID, PASID or ASID) and workloads; then links, settings, timeline and chaos.

Exit codes: 0 shown, 2 bad arguments or an invalid file.`;

const GRAPH_HELP = `Usage: ioasim topo graph <topology.yaml> [--format dot|mermaid]

Prints the topology as a graph, one cluster per host (a fleet once):
devices -> spaces for each attachment (labelled RID, PASID n or ASID n),
nested spaces -> their stage-2 parent, spaces -> their owner, devices -> their
IOMMU. Render it with Graphviz or Mermaid:

  ioasim topo graph examples/single-host.yaml | dot -Tsvg > single-host.svg
  ioasim topo graph examples/single-host.yaml --format mermaid > single-host.mmd

Options:
  --format <dot|mermaid>  the graph language (default: dot)
  -h, --help              show this help

Exit codes: 0 shown, 2 bad arguments or an invalid file.`;

const SUBCOMMANDS = ['show', 'graph'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

function isSubcommand(word: string | undefined): word is Subcommand {
  return (SUBCOMMANDS as readonly (string | undefined)[]).includes(word);
}

function formatOption(value: string | boolean | undefined): GraphFormat {
  if (value === undefined) return 'dot';
  const format = GRAPH_FORMATS.find((candidate) => candidate === value);
  if (format === undefined) throw new UsageError(`--format expects one of: ${GRAPH_FORMATS.join(', ')}; found "${String(value)}"`);
  return format;
}

function oneFile(subcommand: Subcommand, positionals: readonly string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`topo ${subcommand} takes one file, found ${positionals.length}`);
  return positionals[0];
}

function show(argv: readonly string[], io: Io): number {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' } });
  if (values['help'] === true) {
    io.out(SHOW_HELP);
    return EXIT.ok;
  }
  const topology = topologyRead(oneFile('show', positionals), io);
  if (topology === null) return EXIT.badInput;
  io.out(topologyTree(topology));
  return EXIT.ok;
}

function graph(argv: readonly string[], io: Io): number {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' }, format: { type: 'string' } });
  if (values['help'] === true) {
    io.out(GRAPH_HELP);
    return EXIT.ok;
  }
  const format = formatOption(values['format']);
  const topology = topologyRead(oneFile('graph', positionals), io);
  if (topology === null) return EXIT.badInput;
  io.out(topologyGraph(topology, format));
  return EXIT.ok;
}

export const topoMain: CommandMain = (argv, io) => {
  const [subcommand, ...rest] = argv;
  if (subcommand === '-h' || subcommand === '--help') {
    io.out(HELP);
    return EXIT.ok;
  }
  if (!isSubcommand(subcommand)) {
    const found = subcommand === undefined ? 'nothing' : `"${subcommand}"`;
    throw new UsageError(`topo expects one of: ${SUBCOMMANDS.join(', ')}; found ${found}`);
  }
  switch (subcommand) {
    case 'show':
      return show(rest, io);
    case 'graph':
      return graph(rest, io);
    default: {
      const exhaustive: never = subcommand;
      return exhaustive;
    }
  }
};
