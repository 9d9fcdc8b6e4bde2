/**
 * `ioasim schema`: the JSON Schema of the topology format, generated from the
 * one schema in code, for editors and other tools.
 */
import { topologyJsonSchema } from '@ioasim/sim/topology';
import { UsageError, argumentsParse } from '../arguments.js';
import { EXIT, type CommandMain } from '../io.js';

const HELP = `Usage: ioasim schema

Prints the JSON Schema (draft 2020-12) of the topology format of
docs/topology.md. Editors use it to complete and check topology files; with the
YAML language server (VS Code's YAML extension, and others):

  ioasim schema > topology.schema.json

and as the first line of a topology file:

  # yaml-language-server: $schema=./topology.schema.json

The schema checks the shape of a file (fields, types, ranges, units); the
rules across fields (names, references, attachments) are checked by
'ioasim validate'.

Exit codes: 0 printed, 2 bad arguments.`;

export const schemaMain: CommandMain = (argv, io) => {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' } });
  if (values['help'] === true) {
    io.out(HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`schema takes no arguments, found ${positionals.map((word) => `"${word}"`).join(' ')}`);
  io.out(JSON.stringify(topologyJsonSchema(), null, 2));
  return EXIT.ok;
};
