#!/usr/bin/env node
'use strict';
/**
 * Builds the case desk (src/desk → dist/desk, Vite) when a desk source is newer than the
 * last build. Used by scripts/run-built.js (`npm start`) and `pretest` (the e2e test needs it).
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCES = ['src/desk', 'vite.config.mts'];
const BUILT = path.join(ROOT, 'dist', 'desk', 'index.html');

function newest(entry) {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newest(path.join(entry, name))));
}

function buildDeskIfStale() {
  const built = existsSync(BUILT) ? statSync(BUILT).mtimeMs : -1;
  if (built >= Math.max(...SOURCES.map(newest))) return true;
  const started = Date.now();
  // vite's package exports hide bin/: find the CLI beside its package.json.
  const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [ROOT] })), 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '-c', 'vite.config.mts'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) return false;
  process.stderr.write(`Built the desk in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

module.exports = { buildDeskIfStale };

if (require.main === module && !buildDeskIfStale()) {
  process.stderr.write('The desk build failed (see above).\n');
  process.exit(1);
}
