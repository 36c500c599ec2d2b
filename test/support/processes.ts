import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The service as an operator runs it: a real process (npm start, or node on the build). */
export const ROOT = path.resolve(__dirname, '../..');

export interface Service {
  child: ChildProcess;
  output(): string;
  /** The HTTP base URL once the API is ready and has printed the demo tokens; rejects if the process ends first. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startService(env: NodeJS.ProcessEnv, how: 'npm' | 'node' = 'npm', cwd = ROOT): Service {
  const command = how === 'npm' ? (['npm', ['start', '--silent']] as const) : ([process.execPath, ['scripts/run-built.js', 'dist/src/main.js']] as const);
  // detached: a process group of its own, like a terminal's foreground job.
  const child = spawn(command[0], [...command[1]], {
    cwd,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const port = /"port":(\d+),"msg":"API ready/.exec(out)?.[1];
      if (port && out.includes('Try: curl')) {
        clearInterval(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    }, 100);
    void exited.then(({ code }) => {
      clearInterval(timer);
      reject(new Error(`the service exited (${code}) before it was ready:\n${out}`));
    });
  });
  ready.catch(() => undefined);
  return { child, output: () => out, ready, exited };
}

/** Pids of live processes whose command line mentions `text` (e.g. a data directory). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Builds once if the sources changed, so later processes start without compiling. */
export function ensureBuilt(cwd = ROOT): void {
  execFileSync(process.execPath, ['scripts/run-built.js', 'dist/src/cli/token.js', '--help'], { cwd, stdio: 'ignore' });
}
