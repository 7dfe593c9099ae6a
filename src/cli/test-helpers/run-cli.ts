import { main } from '../main.js';

/** Runs the CLI in-process with captured output, as a shell would see it. */
export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
