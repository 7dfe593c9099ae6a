import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/wangge.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** wall time from start to exit */
  ms: number;
}

export interface CliChild {
  process: ChildProcess;
  /** what it wrote to stderr so far */
  stderr(): string;
  /** resolves when it exits */
  done: Promise<CliResult>;
}

/**
 * Starts the built CLI (bin/wangge.js, dist/) as a child process, as an operator's shell would;
 * `env` is added to this process's environment (e.g. NODE_OPTIONS for a preloaded helper).
 */
export function startCli(args: string[], { env = {} }: { env?: Record<string, string> } = {}): CliChild {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return { process: child, stderr: () => stderr, done };
}

/** Runs the built CLI to the end. */
export function runCliChild(args: string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
