#!/usr/bin/env node
'use strict';
/**
 * `node scripts/run-built.js dist/src/main.js [args]`: runs a compiled entry point in this
 * very process (so signals reach it directly), compiling first only when a source file is
 * newer than the last build. A fresh build costs nothing; a stale one is rebuilt once.
 * Compiler output goes to stderr, so `$(npm run -s token ...)` captures only the token.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync, statSync } = require('node:fs');
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
function isFresh(entry) {
  const built = existsSync(entry) ? statSync(entry).mtimeMs : -1;
  return built >= Math.max(...SOURCES.map(newestSource));
}

/** One build at a time: several processes started together (a test run) share it. */
function withBuildLock(work) {
  const lock = path.join(ROOT, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 5 * 60_000) rmSync(lock, { recursive: true, force: true }); // left by a killed build
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildIfStale(entry) {
  if (isFresh(entry)) return;
  let built = true;
  withBuildLock(() => {
    if (!isFresh(entry)) built = build();
  });
  if (!built) {
    process.stderr.write('Build failed (see the compiler errors above): fix them and try again.\n');
    process.exit(1);
  }
}

function build() {
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) return false;
  process.stderr.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
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
