// `npm install` must not warn EBADENGINE: every package the lockfile installs supports the oldest
// Node that package.json's engines allow (the README's Node version).
import { readFileSync } from 'node:fs';
import semver from 'semver';

interface Lock {
  packages: Record<string, { version?: string; engines?: Record<string, string> | string[] }>;
}

test('every locked package supports the oldest Node the project allows', () => {
  const range = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
  const oldest = semver.minVersion(range)?.version as string;
  expect(oldest).toBe('20.19.0');
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
  const unsupported = Object.entries(lock.packages)
    .map(([path, entry]) => ({ path, node: Array.isArray(entry.engines) ? undefined : entry.engines?.node }))
    .filter((p): p is { path: string; node: string } => p.node !== undefined && semver.validRange(p.node) !== null && !semver.satisfies(oldest, p.node))
    .map((p) => `${p.path} needs node ${p.node}`);
  expect(unsupported).toEqual([]);
});
