// Runs before `npm start`, `npm test`, `npm run certs` and `npm run bench`: compiles the TypeScript only
// when its inputs changed since the last build, so an unchanged checkout starts in about a second
// instead of the 15-30 s tsc takes. Plain JavaScript because it runs before anything is built.
//
// The inputs are every .ts file tsc may read (src/, bench/, certs/, test/support/, test/controlplane/), tsconfig.json and
// package-lock.json; their paths, sizes and modification times make a fingerprint kept in
// dist/.build-fingerprint. When files were added or removed, dist/ is emptied first so that the
// output of a deleted source (e.g. a kind folder src/registry/load-kinds.ts would load) cannot linger.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['src', 'bench', 'certs', join('test', 'support'), join('test', 'controlplane')];
const FILES = ['tsconfig.json', 'package-lock.json'];
const FINGERPRINT = join(root, 'dist', '.build-fingerprint');

function inputs() {
  const found = FILES.map((file) => join(root, file)).filter(existsSync);
  for (const dir of SOURCE_DIRS.map((d) => join(root, d)).filter(existsSync)) {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) found.push(join(entry.parentPath, entry.name));
    }
  }
  return found.sort();
}

function fingerprint(files) {
  const paths = createHash('sha256');
  const contents = createHash('sha256');
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    paths.update(`${relative(root, file)}\n`);
    contents.update(`${relative(root, file)} ${size} ${mtimeMs}\n`);
  }
  return { paths: paths.digest('hex'), contents: contents.digest('hex') };
}

function previous() {
  try {
    return JSON.parse(readFileSync(FINGERPRINT, 'utf8'));
  } catch {
    return undefined;
  }
}

const current = fingerprint(inputs());
const last = previous();
if (last?.contents !== current.contents) {
  if (last?.paths !== current.paths) rmSync(join(root, 'dist'), { recursive: true, force: true });
  process.stderr.write(`${last ? 'sources changed' : 'no build yet'}: compiling TypeScript (tsc -p tsconfig.json)...\n`);
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(FINGERPRINT, `${JSON.stringify(current)}\n`);
}
