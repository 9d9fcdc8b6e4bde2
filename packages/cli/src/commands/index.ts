/**
 * Every command of `ioasim`, in the order `ioasim --help` lists them.
 * A command is one file in this folder and one line here.
 */
import type { Command } from '../io.js';
import { chaosCommand } from './chaos.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { shrinkCommand } from './shrink.js';
import { serveCommand } from './serve.js';
import { sweepCommand } from './sweep.js';
import { schemaCommand } from './schema.js';
import { topoCommand } from './topo.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly Command[] = [runCommand, sweepCommand, validateCommand, topoCommand, schemaCommand, serveCommand, chaosCommand, replayCommand, shrinkCommand];
