#!/usr/bin/env node
'use strict';
/**
 * `node scripts/run-built.js dist/src/main.js [args]`: runs a compiled entry point in this
 * very process (so signals reach it directly), compiling first only when a source file is
 * newer than the last build. A fresh build costs nothing; a stale one is rebuilt once.
 * Compiler output goes to stderr, so `$(npm run -s token ...)` captures only the token.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCES = ['src', 'entities', 'resolvers', 'migrations', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json'];

function newestSource(entry) {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(full)) newest = Math.max(newest, newestSource(path.join(entry, name)));
  return newest;
}

/** tsc rewrites every output on each build (and none on a failed one: noEmitOnError). */
function buildIfStale(entry) {
  const built = existsSync(entry) ? statSync(entry).mtimeMs : -1;
  if (built >= Math.max(...SOURCES.map(newestSource))) return;
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write('Build failed (see the compiler errors above): fix them and try again.\n');
    process.exit(1);
  }
  process.stderr.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-built.js <dist/... .js> [args]\n');
  process.exit(2);
}
const target = path.resolve(ROOT, entry);
buildIfStale(target);
process.argv = [process.argv[0], target, ...args];
require(target);
