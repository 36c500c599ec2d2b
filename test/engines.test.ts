import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

/** `npm ci` on the Node versions we declare prints no EBADENGINE: every locked package accepts them. */
const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));

test('every installed package accepts the oldest Node version package.json declares', () => {
  const oldest = semver.minVersion(pkg.engines.node)!.version;
  expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  const refusing = Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string } | string[] }>)
    .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node && !semver.satisfies(oldest, p.engines.node, { includePrerelease: true }))
    .map(([name, p]) => `${name}@${p.version} wants node ${(p.engines as { node: string }).node}`);
  expect(refusing).toEqual([]);
});
