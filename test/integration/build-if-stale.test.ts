// `npm start` (and test, certs, bench) compile only when sources changed: src/build-if-stale.mjs, run
// on a small copy of the project layout so the real dist/ other tests use is never touched.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let project: string;

function build(): { compiled: boolean; code: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [join(project, 'src', 'build-if-stale.mjs')], { encoding: 'utf8' });
  return { compiled: result.stderr.includes('compiling TypeScript'), code: result.status, stderr: result.stderr };
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  mkdirSync(join(project, 'src'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(join(process.cwd(), 'node_modules', 'typescript'), join(project, 'node_modules', 'typescript'));
  copyFileSync(join(process.cwd(), 'src', 'build-if-stale.mjs'), join(project, 'src', 'build-if-stale.mjs'));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', module: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }));
  writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 42;\n');
  writeFileSync(join(project, 'src', 'extra.ts'), 'export const extra = 1;\n');
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

test('compiles the first time, then not again until a source changes', () => {
  expect(build()).toMatchObject({ compiled: true, code: 0 });
  expect(existsSync(join(project, 'dist', 'src', 'main.js'))).toBe(true);
  expect(build()).toMatchObject({ compiled: false, code: 0 });

  writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 43;\n');
  const later = new Date(Date.now() + 5000);
  utimesSync(join(project, 'src', 'main.ts'), later, later);
  expect(build()).toMatchObject({ compiled: true, code: 0 });
  expect(build()).toMatchObject({ compiled: false, code: 0 });
});

test('a removed source takes its compiled output with it', () => {
  build();
  expect(existsSync(join(project, 'dist', 'src', 'extra.js'))).toBe(true);
  rmSync(join(project, 'src', 'extra.ts'));
  expect(build()).toMatchObject({ compiled: true, code: 0 });
  expect(existsSync(join(project, 'dist', 'src', 'extra.js'))).toBe(false);
  expect(existsSync(join(project, 'dist', 'src', 'main.js'))).toBe(true);
});

test('a type error fails the command and is tried again next time', () => {
  writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = "no";\n');
  const failed = build();
  expect(failed.code).not.toBe(0);
  expect(build()).toMatchObject({ compiled: true });
  writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 44;\n');
  expect(build()).toMatchObject({ compiled: true, code: 0 });
});
