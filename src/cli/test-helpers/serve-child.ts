import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/wangge.js', import.meta.url));

export interface ServedChild {
  url: string;
  /** the server process's id (for /proc/<pid>/status) */
  pid: number;
  /** what the server wrote to stderr so far */
  log(): string;
  /** SIGTERM, then waits for the exit code */
  stop(): Promise<number | null>;
}

/**
 * Starts `wangge serve` (the built CLI, dist/, or another `bin`) as a child process on 127.0.0.1
 * and an ephemeral port, and resolves with its URL once it listens. Rejects if it exits or is not
 * up in time.
 */
export function serveChild(args: string[], { timeoutMs = 60_000, bin = BIN } = {}): Promise<ServedChild> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wangge serve did not start in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = / at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        pid: child.pid!,
        log: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`wangge serve exited with ${code}:\n${stderr}`));
    });
  });
}
