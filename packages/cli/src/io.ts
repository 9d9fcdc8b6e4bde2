/**
 * What a command reads and writes, injected so that tests run commands in
 * process: standard output, standard error, and whether output is a terminal.
 */
export type Io = {
  readonly out: (text: string) => void;
  readonly error: (text: string) => void;
  readonly tty: boolean;
  /** Standard error without a newline, and whether it is a terminal: where a progress bar is drawn. */
  readonly progress?: { readonly write: (text: string) => void; readonly tty: boolean };
};

export const EXIT = { ok: 0, violation: 1, badInput: 2 } as const;

/** A command's body: its arguments in, its exit code out. */
export type CommandMain = (argv: readonly string[], io: Io) => number | Promise<number>;

/** A command: its name, its one-line summary for `ioasim --help`, and its body. */
export type Command = {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly main: CommandMain;
};
