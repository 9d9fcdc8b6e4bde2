/**
 * Every command of `ioasim`, in the order `ioasim --help` lists them. A
 * command is one file in this folder and one entry here: its name, usage
 * and summary, and a body that imports the command's module when the
 * command runs, so that each command loads only what it needs (`--help` and
 * `validate` no simulator, `run` no NATS client, worker pool or HTML code).
 */
import type { Command } from '../io.js';

export const COMMANDS: readonly Command[] = [
  {
    name: 'run',
    usage: 'run <topology.yaml>',
    summary: 'run a topology and report on every fault',
    main: async (argv, io) => (await import('./run.js')).runMain(argv, io),
  },
  {
    name: 'sweep',
    usage: 'sweep <topology.yaml> --set <path>=<values>',
    summary: 'run a topology once per parameter value and chart a metric',
    main: async (argv, io) => (await import('./sweep.js')).sweepMain(argv, io),
  },
  {
    name: 'validate',
    usage: 'validate <topology.yaml>',
    summary: 'check a topology file and list every error in it',
    main: async (argv, io) => (await import('./validate.js')).validateMain(argv, io),
  },
  {
    name: 'topo',
    usage: 'topo show|graph <topology.yaml>',
    summary: 'show a topology as a tree, or as a graph (dot, mermaid)',
    main: async (argv, io) => (await import('./topo.js')).topoMain(argv, io),
  },
  {
    name: 'schema',
    usage: 'schema',
    summary: 'print the JSON Schema of the topology format, for editors',
    main: async (argv, io) => (await import('./schema.js')).schemaMain(argv, io),
  },
  {
    name: 'serve',
    usage: 'serve <service>',
    summary: 'run one service kind of a distributed run on NATS',
    main: async (argv, io) => (await import('./serve.js')).serveMain(argv, io),
  },
  {
    name: 'chaos',
    usage: 'chaos <topology.yaml> --seeds 1..500',
    summary: 'run a chaos campaign over many seeds and list the failing ones',
    main: async (argv, io) => (await import('./chaos.js')).chaosMain(argv, io),
  },
  {
    name: 'replay',
    usage: 'replay <report.json>',
    summary: 'run a failing chaos seed again from its report',
    main: async (argv, io) => (await import('./replay.js')).replayMain(argv, io),
  },
  {
    name: 'shrink',
    usage: 'shrink <report.json>',
    summary: 'find a smaller chaos schedule on which a seed still fails',
    main: async (argv, io) => (await import('./shrink.js')).shrinkMain(argv, io),
  },
];
