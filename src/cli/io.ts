/** Where a command writes: injected so tests can capture output without spawning a process. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** true when stderr is a terminal (progress bars only then) */
  interactive: boolean;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: process.stderr.isTTY === true,
};
