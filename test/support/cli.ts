import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The built CLIs (dist/), as `npm run <cli>` runs them: built when older than the sources. */
const ROOT = path.resolve(__dirname, '../..');
const VERIFY_EVIDENCE = path.join(ROOT, 'dist/src/cli/verify-evidence.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  const sources = Math.max(...['src', 'resolvers', 'entities', 'migrations'].map((d) => newestSource(path.join(ROOT, d))));
  if (existsSync(VERIFY_EVIDENCE) && statSync(VERIFY_EVIDENCE).mtimeMs >= sources) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
}

/**
 * `npm run verify-evidence -- ARGS` with no database and no server: exit code and output.
 * Asynchronous, so that a JWKS URL served by this very process can answer it.
 */
export function verifyEvidenceCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  const child = spawn(process.execPath, [VERIFY_EVIDENCE, ...args], { cwd: ROOT, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
